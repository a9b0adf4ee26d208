using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations.Sqlite;

[DbContext(typeof(SqliteIdentityRefDbContext))]
[Migration("20261122000004_Broadcast")]
public sealed class M0004_Broadcast : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => BroadcastSchema.Up(migrationBuilder, SqlTypes.Sqlite);
}
