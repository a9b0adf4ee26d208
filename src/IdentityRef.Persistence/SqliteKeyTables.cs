using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Sqlite.Migrations.Internal;

namespace IdentityRef.Persistence;

/// <summary>
/// SQLite's migrations SQL with the key tables created <c>WITHOUT ROWID</c>: <c>match_keys</c> holds about 24 rows per
/// identity and is read and written through its primary key only, so the row lives in the primary key's B-tree instead
/// of in a table plus a copy in the primary key's index (half the pages to write). EF has no way to declare it; this
/// generator adds it whenever EF creates the table: <c>EnsureCreated</c>, and the table rebuild of any later migration
/// that alters it (EF creates <c>ef_temp_match_keys</c>, copies the rows, renames it).
/// </summary>
#pragma warning disable EF1001 // SqliteMigrationsSqlGenerator is internal API: the generator EF itself uses for SQLite.
internal sealed class SqliteKeyTables(MigrationsSqlGeneratorDependencies dependencies, IRelationalAnnotationProvider migrationsAnnotations)
    : SqliteMigrationsSqlGenerator(dependencies, migrationsAnnotations)
{
    private const string RebuildPrefix = "ef_temp_";

    public static readonly IReadOnlySet<string> WithoutRowId = new HashSet<string>(StringComparer.Ordinal) { "match_keys" };

    protected override void Generate(CreateTableOperation operation, IModel? model, MigrationCommandListBuilder builder, bool terminate = true)
    {
        var name = operation.Name.StartsWith(RebuildPrefix, StringComparison.Ordinal) ? operation.Name[RebuildPrefix.Length..] : operation.Name;
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
