using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentityRef.Persistence;

/// <summary>
/// How <c>dotnet ef</c> builds each provider's context at design time (migrations add, has-pending-model-changes).
/// The connection strings are placeholders: these commands read the model, they do not connect.
/// </summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteIdentityRefDbContext>
{
    public SqliteIdentityRefDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteIdentityRefDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <inheritdoc cref="SqliteDesignTimeFactory"/>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresIdentityRefDbContext>
{
    public PostgresIdentityRefDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresIdentityRefDbContext>().UseNpgsql("Host=localhost;Database=design-time").Options);
}
