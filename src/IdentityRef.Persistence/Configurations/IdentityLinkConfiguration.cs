using IdentityRef.Domain.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class IdentityLinkConfiguration : IEntityTypeConfiguration<IdentityLink>
{
    public void Configure(EntityTypeBuilder<IdentityLink> builder)
    {
        builder.ToTable("identity_links");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.LinkedBy).HasMaxLength(200);
        builder.HasIndex(l => new { l.IdentityA, l.IdentityB }).IsUnique();
        builder.HasIndex(l => l.IdentityB);
        builder.HasOne<Identity>().WithMany().HasForeignKey(l => l.IdentityA).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Identity>().WithMany().HasForeignKey(l => l.IdentityB).OnDelete(DeleteBehavior.Restrict);
    }
}
