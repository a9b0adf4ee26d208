using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> builder)
    {
        builder.ToTable("subscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Name).HasMaxLength(100);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.Property(s => s.Host).HasMaxLength(255);
        builder.Property(s => s.ReceivingApplication).HasMaxLength(100);
        builder.Property(s => s.ReceivingFacility).HasMaxLength(100);
        builder.Property(s => s.Charset).HasMaxLength(20);
        builder.Property(s => s.Events).HasMaxLength(100);
        builder.Property(s => s.LeaseOwner).HasMaxLength(100);
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Event).HasMaxLength(3);
        builder.Property(m => m.ControlId).HasMaxLength(20);
        builder.Property(m => m.State).HasMaxLength(12);
        builder.Property(m => m.AckCode).HasMaxLength(2);
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.HasIndex(m => new { m.SubscriptionId, m.State, m.Id });
        builder.HasIndex(m => new { m.State, m.Id });
        builder.HasOne<Subscription>().WithMany().HasForeignKey(m => m.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
    }
}
