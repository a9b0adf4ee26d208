using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 1 of the schema: identities, their other identifiers, the IPP counter and the audit trail.</summary>
internal static class InitialSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.CreateTable("identities", table => new
        {
            Id = table.Column<Guid>(type: t.Guid, nullable: false),
            Ipp = table.Column<string>(type: t.VarChar(32), maxLength: 32, nullable: false),
            BirthName = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            FirstNames = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            FirstName = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            BirthDate = table.Column<DateOnly>(type: t.Date, nullable: false),
            BirthDateCorrected = table.Column<bool>(type: t.Bool, nullable: false),
            Sex = table.Column<string>(type: t.VarChar(1), maxLength: 1, nullable: false),
            BirthPlaceCode = table.Column<string>(type: t.VarChar(5), maxLength: 5, nullable: true),
            UsedName = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: true),
            UsedFirstName = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: true),
            Address = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
            Postcode = table.Column<string>(type: t.VarChar(10), maxLength: 10, nullable: true),
            City = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
            Phone = table.Column<string>(type: t.VarChar(30), maxLength: 30, nullable: true),
            Email = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
            Status = table.Column<string>(type: t.VarChar(5), maxLength: 5, nullable: false),
            Attributes = table.Column<int>(type: t.Int, nullable: false),
            InsValue = table.Column<string>(type: t.VarChar(15), maxLength: 15, nullable: true),
            InsKind = table.Column<string>(type: t.VarChar(10), maxLength: 10, nullable: true),
            InsSource = table.Column<string>(type: t.VarChar(10), maxLength: 10, nullable: true),
            InsiCheckedAt = table.Column<long>(type: t.Timestamp, nullable: true),
            InsHistory = table.Column<string>(type: t.Text, nullable: false),
            DocumentType = table.Column<string>(type: t.VarChar(4), maxLength: 4, nullable: true),
            DocumentNumber = table.Column<string>(type: t.VarChar(64), maxLength: 64, nullable: true),
            DocumentExpires = table.Column<DateOnly>(type: t.Date, nullable: true),
            DocumentCheckedBy = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: true),
            DocumentCheckedAt = table.Column<long>(type: t.Timestamp, nullable: true),
            MergedIntoId = table.Column<Guid>(type: t.Guid, nullable: true),
            Version = table.Column<int>(type: t.Int, nullable: false),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            UpdatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            StrictTraitsChangedAt = table.Column<long>(type: t.Timestamp, nullable: false),
        }, constraints: table => table.PrimaryKey("PK_identities", x => x.Id));

        mb.CreateIndex("IX_identities_Ipp", "identities", "Ipp", unique: true);
        mb.CreateIndex("IX_identities_BirthName_BirthDate", "identities", ["BirthName", "BirthDate"]);
        mb.CreateIndex("IX_identities_UsedName_BirthDate", "identities", ["UsedName", "BirthDate"]);
        mb.CreateIndex("IX_identities_BirthDate", "identities", "BirthDate");
        mb.CreateIndex("IX_identities_InsValue", "identities", "InsValue");
        mb.CreateIndex("IX_identities_Status", "identities", "Status");
        mb.CreateIndex("IX_identities_UpdatedAt", "identities", "UpdatedAt");

        mb.CreateTable("identifiers", table => new
        {
            Id = t.SequenceKey(table),
            IdentityId = table.Column<Guid>(type: t.Guid, nullable: false),
            System = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            Value = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
        }, constraints: table =>
        {
            table.PrimaryKey("PK_identifiers", x => x.Id);
            table.ForeignKey("FK_identifiers_identities_IdentityId", x => x.IdentityId, "identities", "Id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_identifiers_System_Value", "identifiers", ["System", "Value"], unique: true);
        mb.CreateIndex("IX_identifiers_IdentityId", "identifiers", "IdentityId");

        mb.CreateTable("counters", table => new
        {
            Name = table.Column<string>(type: t.VarChar(50), maxLength: 50, nullable: false),
            Next = table.Column<long>(type: t.Long, nullable: false),
        }, constraints: table => table.PrimaryKey("PK_counters", x => x.Name));

        mb.CreateTable("audit_trail", table => new
        {
            Id = t.SequenceKey(table),
            IdentityId = table.Column<Guid>(type: t.Guid, nullable: true),
            Ipp = table.Column<string>(type: t.VarChar(32), maxLength: 32, nullable: true),
            Action = table.Column<string>(type: t.VarChar(64), maxLength: 64, nullable: false),
            Actor = table.Column<string>(type: t.VarChar(200), maxLength: 200, nullable: false),
            At = table.Column<long>(type: t.Timestamp, nullable: false),
            CorrelationId = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            Before = table.Column<string>(type: t.Text, nullable: true),
            After = table.Column<string>(type: t.Text, nullable: true),
            Details = table.Column<string>(type: t.Text, nullable: true),
        }, constraints: table => table.PrimaryKey("PK_audit_trail", x => x.Id));
        mb.CreateIndex("IX_audit_trail_IdentityId_Id", "audit_trail", ["IdentityId", "Id"]);
        mb.CreateIndex("IX_audit_trail_At", "audit_trail", "At");

        // The audit trail is append-only: the database itself refuses to change or delete a line.
        if (t.IsSqlite)
        {
            mb.Sql("CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END;");
            mb.Sql("CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END;");
        }
        else
        {
            mb.Sql("""
                CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit_trail is append-only'; END $$;
                """);
            mb.Sql("CREATE TRIGGER audit_trail_no_change BEFORE UPDATE OR DELETE ON audit_trail FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only();");
            mb.Sql("CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only();");
        }
    }
}
