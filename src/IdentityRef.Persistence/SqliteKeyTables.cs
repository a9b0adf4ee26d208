using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Sqlite.Migrations.Internal;

namespace IdentityRef.Persistence;

/// <summary>
/// SQLite's migrations SQL with the two storage choices EF cannot declare, made whenever EF creates the table:
/// <c>EnsureCreated</c>, and the table rebuild of any later migration that alters it (EF creates <c>ef_temp_NAME</c>,
/// copies the rows, renames it).
/// <list type="bullet">
/// <item><c>match_keys</c> is <c>WITHOUT ROWID</c>: about 22 rows per identity, read and written through its primary key
/// only, so the row lives in the primary key's B-tree instead of in a table plus a copy in the primary key's index (half
/// the pages to write).</item>
/// <item><c>identities</c> is stored by its store number: <c>Number</c> is the table's <c>INTEGER PRIMARY KEY</c> (SQLite's
/// row id) and the model's key, <c>Id</c>, a <c>UNIQUE</c> constraint (what foreign keys refer to). Check-before-create
/// reads its candidates by number, straight from the table's B-tree instead of through an index and then the table:
/// half the page look-ups of the read that is most of a large check (docs/deployment.md). The model is the same on both
/// providers; PostgreSQL keeps its heap and indexes.</item>
/// </list>
/// </summary>
#pragma warning disable EF1001 // SqliteMigrationsSqlGenerator is internal API: the generator EF itself uses for SQLite.
internal sealed class SqliteKeyTables(MigrationsSqlGeneratorDependencies dependencies, IRelationalAnnotationProvider migrationsAnnotations)
    : SqliteMigrationsSqlGenerator(dependencies, migrationsAnnotations)
{
    private const string RebuildPrefix = "ef_temp_";

    public static readonly IReadOnlySet<string> WithoutRowId = new HashSet<string>(StringComparer.Ordinal) { "match_keys" };

    private const string IdentityTable = "identities";

    /// <summary>
    /// The identities' row id is their store number, once the table has one (migration <c>NarrowMatchKeys</c> added it; the
    /// tables of earlier migrations are created as they were). The primary key's name stays, so later migrations find it.
    /// </summary>
    private static void StoreByNumber(CreateTableOperation operation)
    {
        var number = operation.Columns.SingleOrDefault(c => c.Name == "Number");
        if (number is null || operation.PrimaryKey is not { Columns: ["Id"] } key)
        {
            return;
        }
        // Exactly INTEGER: any other spelling of the type makes an ordinary column with a unique index, not the row id.
        number.ColumnType = "INTEGER";
        operation.UniqueConstraints.Add(new AddUniqueConstraintOperation { Schema = operation.Schema, Table = operation.Name, Name = "AK_identities_Id", Columns = ["Id"] });
        operation.PrimaryKey = new AddPrimaryKeyOperation { Schema = operation.Schema, Table = operation.Name, Name = key.Name, Columns = ["Number"] };
    }

    protected override void Generate(CreateTableOperation operation, IModel? model, MigrationCommandListBuilder builder, bool terminate = true)
    {
        var name = operation.Name.StartsWith(RebuildPrefix, StringComparison.Ordinal) ? operation.Name[RebuildPrefix.Length..] : operation.Name;
        if (name == IdentityTable)
        {
            StoreByNumber(operation);
        }
        if (!WithoutRowId.Contains(name))
        {
            base.Generate(operation, model, builder, terminate);
            return;
        }
        base.Generate(operation, model, builder, terminate: false);
        builder.Append(" WITHOUT ROWID");
        if (terminate)
        {
            builder.AppendLine(Dependencies.SqlGenerationHelper.StatementTerminator);
            EndStatement(builder);
        }
    }
}
#pragma warning restore EF1001
