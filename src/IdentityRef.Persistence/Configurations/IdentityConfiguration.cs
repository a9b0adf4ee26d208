using System.Text.Json;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class IdentityConfiguration : IEntityTypeConfiguration<Identity>
{
    public void Configure(EntityTypeBuilder<Identity> builder)
    {
        builder.ToTable("identities");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Ipp).HasMaxLength(32).IsRequired();
        builder.HasIndex(i => i.Ipp).IsUnique();
        // The store number (given by IdentityNumbers): what match_keys refers to.
        builder.Property(i => i.Number).ValueGeneratedNever();
        builder.HasIndex(i => i.Number).IsUnique();

        builder.Property(i => i.BirthName).HasMaxLength(100).IsRequired();
        builder.Property(i => i.FirstNames).HasMaxLength(100).IsRequired();
        builder.Property(i => i.FirstName).HasMaxLength(100).IsRequired();
        builder.Property(i => i.Sex).HasConversion(s => s.Code(), s => (Sex)s[0]).HasMaxLength(1).IsRequired();
        builder.Property(i => i.BirthPlaceCode).HasMaxLength(5);
        builder.Property(i => i.UsedName).HasMaxLength(100);
        builder.Property(i => i.UsedFirstName).HasMaxLength(100);
        builder.Property(i => i.Address).HasMaxLength(200);
        builder.Property(i => i.Postcode).HasMaxLength(10);
        builder.Property(i => i.City).HasMaxLength(200);
        builder.Property(i => i.Phone).HasMaxLength(30);
        builder.Property(i => i.Email).HasMaxLength(200);
        builder.Property(i => i.ReceivedObtainingMode).HasMaxLength(8);
        builder.Property(i => i.ReceivedDocumentType).HasMaxLength(16);

        builder.Property(i => i.Status).HasConversion(s => s.Code(), s => IdentityStatusCodes.Parse(s)!.Value).HasMaxLength(5).IsRequired();
        builder.Property(i => i.Attributes).HasConversion<int>();
        builder.Property(i => i.InsValue).HasMaxLength(15);
        builder.Property(i => i.InsKind).HasConversion<string>().HasMaxLength(10);
        builder.Property(i => i.InsSource).HasConversion<string>().HasMaxLength(10);
        builder.Property<List<InsHistoryEntry>>("_insHistory")
            .HasColumnName("InsHistory")
            .HasConversion(
                h => JsonSerializer.Serialize(h, JsonSerializerOptions.Default),
                json => JsonSerializer.Deserialize<List<InsHistoryEntry>>(json, JsonSerializerOptions.Default) ?? new List<InsHistoryEntry>(),
                new ValueComparer<List<InsHistoryEntry>>(
                    (a, b) => a!.SequenceEqual(b!),
                    h => h.Aggregate(0, (hash, e) => HashCode.Combine(hash, e.GetHashCode())),
                    h => h.ToList()))
            .IsRequired();
        builder.Property(i => i.DocumentType).HasMaxLength(4);
        builder.Property(i => i.DocumentNumber).HasMaxLength(64);
        builder.Property(i => i.DocumentCheckedBy).HasMaxLength(200);
        builder.Property(i => i.Version).IsConcurrencyToken();

        builder.Ignore(i => i.Events);
        builder.Ignore(i => i.InsHistory);
        builder.Ignore(i => i.Ins);
        builder.Ignore(i => i.ShareableIns);
        builder.Ignore(i => i.Document);
        builder.Ignore(i => i.Strict);
        builder.Ignore(i => i.Complementary);
        builder.Ignore(i => i.IsActive);
        builder.Ignore(i => i.ObtainingMode);

        // The searches of admission staff and of the INS collision check.
        builder.HasIndex(i => new { i.BirthName, i.BirthDate });
        builder.HasIndex(i => new { i.UsedName, i.BirthDate });
        builder.HasIndex(i => i.BirthDate);
        builder.HasIndex(i => i.InsValue);
        builder.HasIndex(i => i.Status);
        builder.HasIndex(i => i.UpdatedAt);
    }
}

internal sealed class IdentityIdentifierConfiguration : IEntityTypeConfiguration<IdentityIdentifier>
{
    public void Configure(EntityTypeBuilder<IdentityIdentifier> builder)
    {
        builder.ToTable("identifiers");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.System).HasMaxLength(100).IsRequired();
        builder.Property(i => i.Value).HasMaxLength(100).IsRequired();
        builder.HasIndex(i => new { i.System, i.Value }).IsUnique();
        builder.HasIndex(i => i.IdentityId);
        builder.HasOne<Identity>().WithMany().HasForeignKey(i => i.IdentityId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CounterConfiguration : IEntityTypeConfiguration<Counter>
{
    public void Configure(EntityTypeBuilder<Counter> builder)
    {
        builder.ToTable("counters");
        builder.HasKey(c => c.Name);
        builder.Property(c => c.Name).HasMaxLength(50);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<Audit.AuditEntry>
{
    public void Configure(EntityTypeBuilder<Audit.AuditEntry> builder)
    {
        builder.ToTable("audit_trail");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Ipp).HasMaxLength(32);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.Actor).HasMaxLength(200);
        builder.Property(a => a.CorrelationId).HasMaxLength(100);
        builder.HasIndex(a => new { a.IdentityId, a.Id });
        builder.HasIndex(a => a.At);
    }
}

internal sealed class InsiCallConfiguration : IEntityTypeConfiguration<InsiCall>
{
    public void Configure(EntityTypeBuilder<InsiCall> builder)
    {
        builder.ToTable("insi_calls");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Actor).HasMaxLength(200);
        builder.Property(c => c.Operation).HasMaxLength(10);
        builder.Property(c => c.Outcome).HasMaxLength(5);
        builder.Property(c => c.Error).HasMaxLength(500);
        builder.Property(c => c.InsValue).HasMaxLength(15);
        builder.Property(c => c.InsOid).HasMaxLength(40);
        builder.Property(c => c.Decision).HasMaxLength(10);
        builder.Property(c => c.DecidedBy).HasMaxLength(200);
        builder.HasIndex(c => new { c.IdentityId, c.Id });
        builder.HasIndex(c => new { c.Outcome, c.CalledAt });
        builder.HasOne<Identity>().WithMany().HasForeignKey(c => c.IdentityId).OnDelete(DeleteBehavior.Restrict);
    }
}
