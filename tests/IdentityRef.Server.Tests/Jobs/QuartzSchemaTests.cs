using System.Reflection;
using IdentityRef.Persistence.Migrations;
using Quartz;

namespace IdentityRef.Server.Tests.Jobs;

/// <summary>The migration creates exactly the job-store schema that the Quartz package in use ships (its schema-provisioning scripts).</summary>
public sealed class QuartzSchemaTests
{
    [Theory]
    [InlineData("create_sqlite.sql")]
    [InlineData("create_postgres.sql")]
    public void MigrationStatements_AreTheScriptsShippedWithQuartz(string script)
    {
        var assembly = typeof(IScheduler).Assembly;
        using var stream = assembly.GetManifestResourceStream(assembly.GetManifestResourceNames().Single(n => n.EndsWith(script, StringComparison.Ordinal)))!;
        using var reader = new StreamReader(stream);
        var shipped = Statements(reader.ReadToEnd());

        Assert.Equal(shipped, script.Contains("sqlite", StringComparison.Ordinal) ? QuartzTables.Sqlite : QuartzTables.PostgreSql);
    }

    /// <summary>The script's statements (split on its <c>--;;</c> lines, comments dropped), with our table prefix.</summary>
    private static List<string> Statements(string script) =>
        script.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n--;;\n")
            .Select(piece => string.Join('\n', piece.Split('\n').Where(line => !line.StartsWith("--", StringComparison.Ordinal))).Trim())
            .Where(statement => statement.Length > 0)
            .Select(statement => statement.Replace("{0}", QuartzTables.Prefix, StringComparison.Ordinal).Replace("{1}", QuartzTables.Prefix, StringComparison.Ordinal))
            .ToList();
}
