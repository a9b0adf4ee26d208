using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>
/// Version 10: work items can be taken and resolved — who took one, when and by whom it was resolved, what was done.
/// <c>UpdatedAt</c> starts as the creation date of the items already there.
/// </summary>
internal static class WorkItemResolutionSchema
{
    private const string Table = "work_items";

    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        // NOT NULL needs a value for the rows already there: a placeholder default, replaced by CreatedAt just below.
        mb.AddColumn<long>("UpdatedAt", Table, type: t.Timestamp, nullable: false, defaultValueSql: t.IsSqlite ? "0" : "'epoch'");
        mb.Sql($"UPDATE \"{Table}\" SET \"UpdatedAt\" = \"CreatedAt\";");
        if (!t.IsSqlite)
        {
            // SQLite cannot drop a column default; there it stays, unused (EF always writes the column).
            mb.Sql($"ALTER TABLE \"{Table}\" ALTER COLUMN \"UpdatedAt\" DROP DEFAULT;");
        }
        mb.AddColumn<string>("ReviewedBy", Table, type: t.VarChar(200), maxLength: 200, nullable: true);
        mb.AddColumn<long>("ResolvedAt", Table, type: t.Timestamp, nullable: true);
        mb.AddColumn<string>("ResolvedBy", Table, type: t.VarChar(200), maxLength: 200, nullable: true);
        mb.AddColumn<string>("Resolution", Table, type: t.VarChar(WorkItem.ResolutionMaxLength), maxLength: WorkItem.ResolutionMaxLength, nullable: true);
    }
}
