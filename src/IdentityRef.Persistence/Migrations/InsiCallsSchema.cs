using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 2: the INSi calls and their answers awaiting a decision.</summary>
internal static class InsiCallsSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.CreateTable("insi_calls", table => new
        {
            Id = t.SequenceKey(table),
            IdentityId = table.Column<Guid>(type: t.Guid, nullable: false),
            CalledAt = table.Column<long>(type: t.Timestamp, nullable: false),
            Actor = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: false),
            Operation = table.Column<string>(type: t.VarChar(10), maxLength: 10, nullable: false),
            Calls = table.Column<int>(type: t.Int, nullable: false),
            Outcome = table.Column<string>(type: t.VarChar(5), maxLength: 5, nullable: false),
            Error = table.Column<string>(type: t.VarChar(500), maxLength: 500, nullable: true),
            InsValue = table.Column<string>(type: t.VarChar(15), maxLength: 15, nullable: true),
            InsOid = table.Column<string>(type: t.VarChar(40), maxLength: 40, nullable: true),
            InsHistory = table.Column<string>(type: t.Text, nullable: true),
            Traits = table.Column<string>(type: t.Text, nullable: true),
            Decision = table.Column<string>(type: t.VarChar(10), maxLength: 10, nullable: true),
            DecidedAt = table.Column<long>(type: t.Timestamp, nullable: true),
            DecidedBy = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
        }, constraints: table =>
        {
            table.PrimaryKey("PK_insi_calls", x => x.Id);
            table.ForeignKey("FK_insi_calls_identities_IdentityId", x => x.IdentityId, "identities", "Id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_insi_calls_IdentityId_Id", "insi_calls", ["IdentityId", "Id"]);
        mb.CreateIndex("IX_insi_calls_Outcome_CalledAt", "insi_calls", ["Outcome", "CalledAt"]);
    }
}
