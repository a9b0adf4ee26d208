using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.PostgreSql;

[DbContext(typeof(PostgresIdentityRefDbContext))]
[Migration("20261122000007_Merges")]
public sealed class M0007_Merges : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => MergesSchema.Up(migrationBuilder, SqlTypes.PostgreSql);
}
