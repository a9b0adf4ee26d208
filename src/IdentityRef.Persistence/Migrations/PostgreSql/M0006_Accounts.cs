using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.PostgreSql;

[DbContext(typeof(PostgresIdentityRefDbContext))]
[Migration("20261122000006_Accounts")]
public sealed class M0006_Accounts : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => AccountsSchema.Up(migrationBuilder, SqlTypes.PostgreSql);
}
