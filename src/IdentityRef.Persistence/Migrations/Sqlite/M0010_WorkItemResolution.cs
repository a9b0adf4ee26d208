using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.Sqlite;

[DbContext(typeof(SqliteIdentityRefDbContext))]
[Migration("20261122000010_WorkItemResolution")]
public sealed class M0010_WorkItemResolution : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => WorkItemResolutionSchema.Up(migrationBuilder, SqlTypes.Sqlite);
}
