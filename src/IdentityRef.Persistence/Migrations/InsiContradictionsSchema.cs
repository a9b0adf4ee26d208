using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>
/// Version 8: INSi contradictions in the vigilance cell's queue. A work item may concern one identity and an INSi
/// answer instead of a pair: <c>duplicate_items.IdentityB</c> becomes nullable and <c>InsiCallId</c> names the answer.
/// SQLite cannot drop a NOT NULL nor add a foreign key to a table, so there the table is rebuilt and its rows copied.
/// </summary>
internal static class InsiContradictionsSchema
{
    private const string Table = "duplicate_items";

    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        if (t.IsSqlite)
        {
            RebuildOnSqlite(mb, t);
        }
        else
        {
            mb.AlterColumn<Guid>("IdentityB", Table, type: t.Guid, nullable: true, oldClrType: typeof(Guid), oldType: t.Guid, oldNullable: false);
            mb.AddColumn<long>("InsiCallId", Table, type: t.Long, nullable: true);
        }
        mb.CreateIndex("IX_duplicate_items_InsiCallId", Table, "InsiCallId");
        if (!t.IsSqlite)
        {
            mb.AddForeignKey("FK_duplicate_items_insi_calls_InsiCallId", Table, "InsiCallId", "insi_calls", principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }
    }

    private static void RebuildOnSqlite(MigrationBuilder mb, SqlTypes t)
    {
        const string rebuilt = "duplicate_items_m0008";
        mb.CreateTable(rebuilt, table => new
        {
            Id = t.SequenceKey(table),
            IdentityA = table.Column<Guid>(type: t.Guid, nullable: false),
            IdentityB = table.Column<Guid>(type: t.Guid, nullable: true),
            InsiCallId = table.Column<long>(type: t.Long, nullable: true),
            Kind = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Class = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Score = table.Column<double>(type: "REAL", nullable: false),
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
            table.ForeignKey("FK_duplicate_items_insi_calls_InsiCallId", x => x.InsiCallId, "insi_calls", "Id", onDelete: ReferentialAction.Restrict);
        });
        const string columns = "\"Id\", \"IdentityA\", \"IdentityB\", \"Kind\", \"Class\", \"Score\", \"Explanation\", \"State\", \"CreatedAt\", \"UpdatedAt\", "
            + "\"Resolution\", \"ResolvedBy\", \"ResolvedAt\", \"MergeId\", \"Decisions\"";
        mb.Sql($"INSERT INTO \"{rebuilt}\" ({columns}) SELECT {columns} FROM \"{Table}\";");
        mb.DropTable(Table);
        // SQLite renames the table's AUTOINCREMENT counter with it: ids keep growing from where they were.
        mb.RenameTable(rebuilt, newName: Table);
        mb.CreateIndex("IX_duplicate_items_IdentityA_IdentityB", Table, ["IdentityA", "IdentityB"], unique: true);
        mb.CreateIndex("IX_duplicate_items_IdentityB", Table, "IdentityB");
        mb.CreateIndex("IX_duplicate_items_State_Score", Table, ["State", "Score"]);
    }
}
