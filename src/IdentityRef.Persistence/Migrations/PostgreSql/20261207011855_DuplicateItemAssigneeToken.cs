using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// No schema change: <c>duplicate_items.AssignedTo</c> becomes a concurrency token in the model (two members taking one
    /// item at once, the second is refused with item-changed); the snapshot records it.
    /// </summary>
    public partial class DuplicateItemAssigneeToken : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
