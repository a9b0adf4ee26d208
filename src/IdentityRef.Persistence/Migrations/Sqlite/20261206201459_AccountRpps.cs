using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccountRpps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Rpps",
                table: "accounts",
                type: "TEXT",
                maxLength: 11,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_accounts_Rpps",
                table: "accounts",
                column: "Rpps",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_accounts_Rpps",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "Rpps",
                table: "accounts");
        }
    }
}
