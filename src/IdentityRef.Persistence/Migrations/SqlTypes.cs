using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace IdentityRef.Persistence.Migrations;

/// <summary>
/// The column types of one provider, as EF maps our model: the hand-written migrations of both providers
/// share their table definitions and differ only here and in raw SQL (triggers).
/// </summary>
internal sealed record SqlTypes(string Guid, string Bool, string Int, string Long, string Date, string Timestamp, string Text, Func<int, string> VarChar)
{
    public static SqlTypes Sqlite { get; } = new("TEXT", "INTEGER", "INTEGER", "INTEGER", "TEXT", "INTEGER", "TEXT", _ => "TEXT");

    public static SqlTypes PostgreSql { get; } = new("uuid", "boolean", "integer", "bigint", "date", "timestamp with time zone", "text",
        n => $"character varying({n})");

    public bool IsSqlite => ReferenceEquals(this, Sqlite);

    /// <summary>A 64-bit key the database numbers itself (append order of the audit trail and the outbox).</summary>
    public OperationBuilder<AddColumnOperation> SequenceKey(ColumnsBuilder table) => IsSqlite
        ? table.Column<long>(type: Long, nullable: false).Annotation("Sqlite:Autoincrement", true)
        : table.Column<long>(type: Long, nullable: false).Annotation("Npgsql:ValueGenerationStrategy",
            Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
