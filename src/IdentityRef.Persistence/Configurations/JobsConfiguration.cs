using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.ToTable("job_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Job).HasMaxLength(100);
        builder.Property(r => r.Instance).HasMaxLength(200);
        builder.Property(r => r.Outcome).HasMaxLength(20);
        builder.Property(r => r.Error).HasMaxLength(1000);
        builder.HasIndex(r => new { r.Job, r.StartedAt });
    }
}

internal sealed class WorkItemConfiguration : IEntityTypeConfiguration<WorkItem>
{
    public void Configure(EntityTypeBuilder<WorkItem> builder)
    {
        builder.ToTable("work_items");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Kind).HasMaxLength(60);
        // Two people acting on one item at once: the second write finds the state changed and is refused.
        builder.Property(w => w.State).HasMaxLength(20).IsConcurrencyToken();
        builder.Property(w => w.ReviewedBy).HasMaxLength(200);
        builder.Property(w => w.ResolvedBy).HasMaxLength(200);
        builder.Property(w => w.Resolution).HasMaxLength(WorkItem.ResolutionMaxLength);
        builder.HasIndex(w => new { w.IdentityId, w.Kind, w.State });
        builder.HasIndex(w => new { w.State, w.CreatedAt });
    }
}
