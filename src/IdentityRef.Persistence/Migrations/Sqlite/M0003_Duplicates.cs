using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.Sqlite;

[DbContext(typeof(SqliteIdentityRefDbContext))]
[Migration("20261122000003_Duplicates")]
public sealed class M0003_Duplicates : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => DuplicatesSchema.Up(migrationBuilder, SqlTypes.Sqlite);
}
