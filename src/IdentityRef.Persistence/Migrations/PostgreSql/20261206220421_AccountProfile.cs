using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class AccountProfile : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FullName",
                table: "accounts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "MustChangePassword",
                table: "accounts",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FullName",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "MustChangePassword",
                table: "accounts");
        }
    }
}
