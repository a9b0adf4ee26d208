using IdentityRef.Persistence.Accounts;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 11: the RPPS number an account signs in with through Pro Santé Connect (nullable, unique when set).</summary>
internal static class AccountRppsSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.AddColumn<string>("Rpps", "accounts", type: t.VarChar(Account.RppsLength), maxLength: Account.RppsLength, nullable: true);
        // Both providers let several NULLs through a unique index: only linked accounts are constrained.
        mb.CreateIndex("IX_accounts_Rpps", "accounts", "Rpps", unique: true);
    }
}
