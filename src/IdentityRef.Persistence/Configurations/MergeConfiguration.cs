using IdentityRef.Domain.Identities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class MergeConfiguration : IEntityTypeConfiguration<Merge>
{
    public void Configure(EntityTypeBuilder<Merge> builder)
    {
        builder.ToTable("merges");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Actor).HasMaxLength(200);
        builder.Property(m => m.UndoneBy).HasMaxLength(200);
        builder.HasIndex(m => m.SurvivorId);
        builder.HasIndex(m => m.MergedId);
        builder.HasOne<Identity>().WithMany().HasForeignKey(m => m.SurvivorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Identity>().WithMany().HasForeignKey(m => m.MergedId).OnDelete(DeleteBehavior.Restrict);
    }
}
