using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class QueueAssignment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SurvivorTraitsBefore",
                table: "merges",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AssignedTo",
                table: "duplicate_items",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_duplicate_items_AssignedTo",
                table: "duplicate_items",
                column: "AssignedTo");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_duplicate_items_AssignedTo",
                table: "duplicate_items");

            migrationBuilder.DropColumn(
                name: "SurvivorTraitsBefore",
                table: "merges");

            migrationBuilder.DropColumn(
                name: "AssignedTo",
                table: "duplicate_items");
        }
    }
}
