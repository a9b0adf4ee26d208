using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.PostgreSql;

[DbContext(typeof(PostgresIdentityRefDbContext))]
[Migration("20261122000005_Jobs")]
public sealed class M0005_Jobs : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => JobsSchema.Up(migrationBuilder, SqlTypes.PostgreSql);
}
