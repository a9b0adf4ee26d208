using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityRef.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// No model change: <c>identities</c> is rebuilt so that its row id is the store number (<c>Number INTEGER PRIMARY
    /// KEY</c>, <c>Id</c> a <c>UNIQUE</c> constraint; see <see cref="SqliteKeyTables"/>, which writes every creation of the
    /// table so). Altering the column to what it is makes EF rebuild the table (SQLite cannot change a primary key in
    /// place): a new table through that generator, the rows copied, foreign keys off meanwhile, the indexes created again.
    /// At a million identities that is a copy of the table (~250 MB). Down keeps the storage: the model is the same.
    /// </summary>
    public partial class IdentitiesByNumber : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "Number",
                table: "identities",
                type: "INTEGER",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldDefaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
