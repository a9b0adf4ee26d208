using IdentityRef.Persistence.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IdentityRef.Persistence.Configurations;

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> builder)
    {
        builder.ToTable("accounts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.UserName).HasMaxLength(100).IsRequired();
        builder.HasIndex(a => a.UserName).IsUnique();
        builder.Property(a => a.Role).HasMaxLength(30).IsRequired();
        builder.Property(a => a.PasswordHash).HasMaxLength(200).IsRequired();
        builder.Property(a => a.Rpps).HasMaxLength(Account.RppsLength);
        builder.HasIndex(a => a.Rpps).IsUnique();
        builder.Property(a => a.FullName).HasMaxLength(Account.FullNameLength);
    }
}
