namespace IdentityRef.Server.Hosting;

/// <summary>Settings of the database (section <c>Database</c>, connection string <c>ConnectionStrings:IdentityRef</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public Persistence.DatabaseProvider Provider { get; set; } = Persistence.DatabaseProvider.Sqlite;
}
