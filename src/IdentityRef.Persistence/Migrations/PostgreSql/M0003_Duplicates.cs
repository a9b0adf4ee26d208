using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.PostgreSql;

[DbContext(typeof(PostgresIdentityRefDbContext))]
[Migration("20261122000003_Duplicates")]
public sealed class M0003_Duplicates : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => DuplicatesSchema.Up(migrationBuilder, SqlTypes.PostgreSql);
}
