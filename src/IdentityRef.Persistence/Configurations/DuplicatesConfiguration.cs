using IdentityRef.Domain.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class MatchKeyConfiguration : IEntityTypeConfiguration<MatchKey>
{
    public void Configure(EntityTypeBuilder<MatchKey> builder)
    {
        builder.ToTable("match_keys");
        // The key first: candidate lookup is a range scan of the primary key, the only index: an identity's keys are found
        // through its identity_keys row (IdentityKeyList), not by an index on the identity (dropped by IdentityKeyLists).
        // On SQLite the table is WITHOUT ROWID (the row lives in the primary key only): EF cannot say so, the migration
        // that created it (NarrowMatchKeys) did; a migration that rebuilds this table must keep it (MigrationTests checks).
        builder.HasKey(k => new { k.Key, k.IdentityNumber });
    }
}

internal sealed class IdentityKeyListConfiguration : IEntityTypeConfiguration<IdentityKeyList>
{
    public void Configure(EntityTypeBuilder<IdentityKeyList> builder)
    {
        builder.ToTable("identity_keys");
        // Given, never generated: on SQLite an INTEGER PRIMARY KEY is the rowid (no AUTOINCREMENT), so the row lives in the
        // table's own B-tree, appended in number order, with no second index.
        builder.HasKey(k => k.IdentityNumber);
        builder.Property(k => k.IdentityNumber).ValueGeneratedNever();
    }
}

internal sealed class DuplicateItemConfiguration : IEntityTypeConfiguration<DuplicateItem>
{
    public void Configure(EntityTypeBuilder<DuplicateItem> builder)
    {
        builder.ToTable("duplicate_items");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Kind).HasMaxLength(20);
        builder.Property(d => d.Class).HasMaxLength(20);
        // Two decisions on one item at once: the second finds the state moved and saves nothing (item-changed).
        builder.Property(d => d.State).HasMaxLength(20).IsConcurrencyToken();
        builder.Property(d => d.Resolution).HasMaxLength(20);
        builder.Property(d => d.ResolvedBy).HasMaxLength(200);
        // Who has the item is a concurrency token too: two members taking one item at the same moment (its state already
        // in review) must not both succeed, the second silently.
        builder.Property(d => d.AssignedTo).HasMaxLength(200).IsConcurrencyToken();
        builder.HasIndex(d => new { d.IdentityA, d.IdentityB }).IsUnique();
        builder.HasIndex(d => d.IdentityB);
        builder.HasIndex(d => new { d.State, d.Score });
        builder.HasIndex(d => d.AssignedTo);
        builder.HasOne<Identity>().WithMany().HasForeignKey(d => d.IdentityA).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Identity>().WithMany().HasForeignKey(d => d.IdentityB).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(d => d.InsiCall).WithMany().HasForeignKey(d => d.InsiCallId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(d => d.IsInsiContradiction);
    }
}

internal sealed class DuplicateRunConfiguration : IEntityTypeConfiguration<DuplicateRun>
{
    public void Configure(EntityTypeBuilder<DuplicateRun> builder)
    {
        builder.ToTable("duplicate_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Kind).HasMaxLength(20);
    }
}

internal sealed class StoredMatchWeightsConfiguration : IEntityTypeConfiguration<StoredMatchWeights>
{
    public void Configure(EntityTypeBuilder<StoredMatchWeights> builder)
    {
        builder.ToTable("match_weights");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Source).HasMaxLength(20);
    }
}
