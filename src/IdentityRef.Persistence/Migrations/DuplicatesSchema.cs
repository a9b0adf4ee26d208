using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 3: duplicate detection (blocking keys, the cell's work items, runs, learnt weights).</summary>
internal static class DuplicatesSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        var real = t.IsSqlite ? "REAL" : "double precision";
        mb.CreateTable("match_keys", table => new
        {
            Key = table.Column<long>(type: t.Long, nullable: false),
            IdentityId = table.Column<Guid>(type: t.Guid, nullable: false),
        }, constraints: table => table.PrimaryKey("PK_match_keys", x => new { x.Key, x.IdentityId }));
        mb.CreateIndex("IX_match_keys_IdentityId", "match_keys", "IdentityId");

        mb.CreateTable("duplicate_items", table => new
        {
            Id = Identity(table, t),
            IdentityA = table.Column<Guid>(type: t.Guid, nullable: false),
            IdentityB = table.Column<Guid>(type: t.Guid, nullable: false),
            Kind = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Class = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Score = table.Column<double>(type: real, nullable: false),
            Explanation = table.Column<string>(type: t.Text, nullable: false),
            State = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            UpdatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            Resolution = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: true),
            ResolvedBy = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
            ResolvedAt = table.Column<long>(type: t.Timestamp, nullable: true),
            MergeId = table.Column<long>(type: t.Long, nullable: true),
            Decisions = table.Column<string>(type: t.Text, nullable: false),
        }, constraints: table =>
        {
            table.PrimaryKey("PK_duplicate_items", x => x.Id);
            table.ForeignKey("FK_duplicate_items_identities_IdentityA", x => x.IdentityA, "identities", "Id", onDelete: ReferentialAction.Restrict);
            table.ForeignKey("FK_duplicate_items_identities_IdentityB", x => x.IdentityB, "identities", "Id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_duplicate_items_IdentityA_IdentityB", "duplicate_items", ["IdentityA", "IdentityB"], unique: true);
        mb.CreateIndex("IX_duplicate_items_IdentityB", "duplicate_items", "IdentityB");
        mb.CreateIndex("IX_duplicate_items_State_Score", "duplicate_items", ["State", "Score"]);

        mb.CreateTable("duplicate_runs", table => new
        {
            Id = Identity(table, t),
            Kind = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            StartedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            FinishedAt = table.Column<long>(type: t.Timestamp, nullable: true),
            Identities = table.Column<int>(type: t.Int, nullable: false),
            CandidatePairs = table.Column<long>(type: t.Long, nullable: false),
            Found = table.Column<int>(type: t.Int, nullable: false),
            Created = table.Column<int>(type: t.Int, nullable: false),
            Reopened = table.Column<int>(type: t.Int, nullable: false),
        }, constraints: table => table.PrimaryKey("PK_duplicate_runs", x => x.Id));

        mb.CreateTable("match_weights", table => new
        {
            Id = Identity(table, t),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            Source = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Records = table.Column<int>(type: t.Int, nullable: false),
            Json = table.Column<string>(type: t.Text, nullable: false),
        }, constraints: table => table.PrimaryKey("PK_match_weights", x => x.Id));
    }

    private static OperationBuilder<AddColumnOperation> Identity(ColumnsBuilder table, SqlTypes t) =>
        t.IsSqlite
            ? table.Column<long>(type: t.Long, nullable: false).Annotation("Sqlite:Autoincrement", true)
            : table.Column<long>(type: t.Long, nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
