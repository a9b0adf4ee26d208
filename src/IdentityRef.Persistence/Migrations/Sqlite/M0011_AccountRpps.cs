using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.Sqlite;

[DbContext(typeof(SqliteIdentityRefDbContext))]
[Migration("20261206000011_AccountRpps")]
public sealed class M0011_AccountRpps : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => AccountRppsSchema.Up(migrationBuilder, SqlTypes.Sqlite);
}
