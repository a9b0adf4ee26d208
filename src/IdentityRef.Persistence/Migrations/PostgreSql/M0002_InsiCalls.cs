using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.PostgreSql;

[DbContext(typeof(PostgresIdentityRefDbContext))]
[Migration("20261122000002_InsiCalls")]
public sealed class M0002_InsiCalls : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => InsiCallsSchema.Up(migrationBuilder, SqlTypes.PostgreSql);
}
