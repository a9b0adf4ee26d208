using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 7: merges and what undoing them needs.</summary>
internal static class MergesSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.CreateTable("merges", table => new
        {
            Id = t.SequenceKey(table),
            SurvivorId = table.Column<Guid>(type: t.Guid, nullable: false),
            MergedId = table.Column<Guid>(type: t.Guid, nullable: false),
            MergedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            Actor = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: false),
            SurvivorCoreBefore = table.Column<string>(type: t.Text, nullable: true),
            SurvivorVersionAfter = table.Column<int>(type: t.Int, nullable: false),
            MovedIdentifiers = table.Column<string>(type: t.Text, nullable: false),
            UndoneAt = table.Column<long>(type: t.Timestamp, nullable: true),
            UndoneBy = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
        }, constraints: table =>
        {
            table.PrimaryKey("PK_merges", x => x.Id);
            table.ForeignKey("FK_merges_identities_SurvivorId", x => x.SurvivorId, "identities", "Id", onDelete: ReferentialAction.Restrict);
            table.ForeignKey("FK_merges_identities_MergedId", x => x.MergedId, "identities", "Id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_merges_SurvivorId", "merges", "SurvivorId");
        mb.CreateIndex("IX_merges_MergedId", "merges", "MergedId");
    }
}
