using IdentityRef.Domain.Identities;
using IdentityRef.Persistence.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityRef.Persistence;

/// <summary>
/// The identity server's database. One subclass per provider carries that provider's generated
/// migrations and model snapshot (EF finds migrations by context type), the model itself is shared.
/// </summary>
public abstract class IdentityRefDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Identity> Identities => Set<Identity>();
    public DbSet<IdentityIdentifier> Identifiers => Set<IdentityIdentifier>();
    public DbSet<AuditEntry> AuditTrail => Set<AuditEntry>();
    public DbSet<Counter> Counters => Set<Counter>();
    public DbSet<InsiCall> InsiCalls => Set<InsiCall>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<Merge> Merges => Set<Merge>();
    public DbSet<IdentityLink> IdentityLinks => Set<IdentityLink>();
    public DbSet<Accounts.Account> Accounts => Set<Accounts.Account>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<WorkItem> WorkItems => Set<WorkItem>();
    public DbSet<MatchKey> MatchKeys => Set<MatchKey>();
    public DbSet<IdentityKeyList> IdentityKeys => Set<IdentityKeyList>();
    public DbSet<DuplicateItem> DuplicateItems => Set<DuplicateItem>();
    public DbSet<DuplicateRun> DuplicateRuns => Set<DuplicateRun>();
    public DbSet<StoredMatchWeights> MatchWeights => Set<StoredMatchWeights>();

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Numbers the new identities that have no store number yet (<see cref="IdentityNumbers"/>), then saves.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        await IdentityNumbers.AssignAsync(this, NewIdentitiesWithoutNumber(), cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        IdentityNumbers.AssignAsync(this, NewIdentitiesWithoutNumber(), CancellationToken.None).GetAwaiter().GetResult();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    private List<Identity> NewIdentitiesWithoutNumber() =>
        ChangeTracker.Entries<Identity>().Where(e => e.State == EntityState.Added && e.Entity.Number == 0).Select(e => e.Entity).ToList();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(IdentityRefDbContext).Assembly);
}

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

public sealed class SqliteIdentityRefDbContext(DbContextOptions<SqliteIdentityRefDbContext> options) : IdentityRefDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    // Every SQLite context (server, tests, dotnet ef) creates the key tables WITHOUT ROWID. The server's pooled options
    // have it already (DatabaseSetup): EF refuses an OnConfiguring that changes a pooled context's options.
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        if (optionsBuilder.Options.FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()?.ReplacedServices?
                .ContainsKey((typeof(Microsoft.EntityFrameworkCore.Migrations.IMigrationsSqlGenerator), null)) != true)
        {
            WithKeyTables(optionsBuilder);
        }
    }

    /// <summary>Options whose migrations create the key tables <c>WITHOUT ROWID</c> and identities by number (<see cref="SqliteKeyTables"/>).</summary>
    public static DbContextOptionsBuilder WithKeyTables(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.ReplaceService<Microsoft.EntityFrameworkCore.Migrations.IMigrationsSqlGenerator, SqliteKeyTables>();

    // SQLite cannot compare DateTimeOffset values stored as text; as UTC ticks they sort and compare.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgresIdentityRefDbContext(DbContextOptions<PostgresIdentityRefDbContext> options) : IdentityRefDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
}
