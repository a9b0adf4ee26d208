using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.PostgreSql;

[DbContext(typeof(PostgresIdentityRefDbContext))]
[Migration("20261122000008_InsiContradictions")]
public sealed class M0008_InsiContradictions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => InsiContradictionsSchema.Up(migrationBuilder, SqlTypes.PostgreSql);
}
