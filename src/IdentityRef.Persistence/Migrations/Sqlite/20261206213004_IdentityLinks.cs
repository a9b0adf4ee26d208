using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IdentityLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "identity_links",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IdentityA = table.Column<Guid>(type: "TEXT", nullable: false),
                    IdentityB = table.Column<Guid>(type: "TEXT", nullable: false),
                    LinkedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LinkedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DuplicateItemId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_identity_links", x => x.Id);
                    table.ForeignKey(
                        name: "FK_identity_links_identities_IdentityA",
                        column: x => x.IdentityA,
                        principalTable: "identities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_identity_links_identities_IdentityB",
                        column: x => x.IdentityB,
                        principalTable: "identities",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_identity_links_IdentityA_IdentityB",
                table: "identity_links",
                columns: new[] { "IdentityA", "IdentityB" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_identity_links_IdentityB",
                table: "identity_links",
                column: "IdentityB");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "identity_links");
        }
    }
}
