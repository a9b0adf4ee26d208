using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ReceivedCollection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "ReceivedDocumentExpires",
                table: "identities",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedDocumentType",
                table: "identities",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedObtainingMode",
                table: "identities",
                type: "character varying(8)",
                maxLength: 8,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReceivedDocumentExpires",
                table: "identities");

            migrationBuilder.DropColumn(
                name: "ReceivedDocumentType",
                table: "identities");

            migrationBuilder.DropColumn(
                name: "ReceivedObtainingMode",
                table: "identities");
        }
    }
}
