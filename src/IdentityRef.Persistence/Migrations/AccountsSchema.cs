using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 6: the local accounts of the web interface.</summary>
internal static class AccountsSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.CreateTable("accounts", table => new
        {
            Id = t.IsSqlite
                ? table.Column<long>(type: t.Long, nullable: false).Annotation("Sqlite:Autoincrement", true)
                : table.Column<long>(type: t.Long, nullable: false).Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
            UserName = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            Role = table.Column<string>(type: t.VarChar(30), maxLength: 30, nullable: false),
            PasswordHash = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: false),
            FailedAttempts = table.Column<int>(type: t.Int, nullable: false),
            LockedUntil = table.Column<long>(type: t.Timestamp, nullable: true),
            Active = table.Column<bool>(type: t.Bool, nullable: false),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            LastSignInAt = table.Column<long>(type: t.Timestamp, nullable: true),
        }, constraints: table => table.PrimaryKey("PK_accounts", x => x.Id));
        mb.CreateIndex("IX_accounts_UserName", "accounts", "UserName", unique: true);
    }
}
