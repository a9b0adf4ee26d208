using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PatientDeath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "DeathDate",
                table: "identities",
                type: "date",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DeathDate",
                table: "identities");
        }
    }
}
