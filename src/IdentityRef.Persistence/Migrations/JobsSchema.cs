using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 5: scheduled work — the run history, the work items of the vigilance cell, and Quartz's job store.</summary>
internal static class JobsSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.CreateTable("job_runs", table => new
        {
            Id = Key(table, t),
            Job = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            Instance = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: false),
            StartedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            FinishedAt = table.Column<long>(type: t.Timestamp, nullable: true),
            Outcome = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Counts = table.Column<string>(type: t.Text, nullable: true),
            Error = table.Column<string>(type: t.VarChar(1000), maxLength: 1000, nullable: true),
        }, constraints: table => table.PrimaryKey("PK_job_runs", x => x.Id));
        mb.CreateIndex("IX_job_runs_Job_StartedAt", "job_runs", ["Job", "StartedAt"]);

        mb.CreateTable("work_items", table => new
        {
            Id = Key(table, t),
            Kind = table.Column<string>(type: t.VarChar(60), maxLength: 60, nullable: false),
            IdentityId = table.Column<Guid>(type: t.Guid, nullable: true),
            State = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            Details = table.Column<string>(type: t.Text, nullable: true),
        }, constraints: table => table.PrimaryKey("PK_work_items", x => x.Id));
        mb.CreateIndex("IX_work_items_IdentityId_Kind_State", "work_items", ["IdentityId", "Kind", "State"]);
        mb.CreateIndex("IX_work_items_State_CreatedAt", "work_items", ["State", "CreatedAt"]);

        foreach (var statement in t.IsSqlite ? QuartzTables.Sqlite : QuartzTables.PostgreSql)
        {
            mb.Sql(statement);
        }
    }

    private static OperationBuilder<AddColumnOperation> Key(ColumnsBuilder table, SqlTypes t) =>
        t.IsSqlite
            ? table.Column<long>(type: t.Long, nullable: false).Annotation("Sqlite:Autoincrement", true)
            : table.Column<long>(type: t.Long, nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
