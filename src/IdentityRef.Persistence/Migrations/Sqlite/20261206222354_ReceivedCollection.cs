using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedDocumentType",
                table: "identities",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceivedObtainingMode",
                table: "identities",
                type: "TEXT",
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
