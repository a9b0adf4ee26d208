namespace IdentityRef.Persistence.Migrations;

/// <summary>
/// The audit trail is append-only: the database itself refuses to change or delete a line. EF's model has no
/// triggers, so the baseline migration of each provider adds these statements by hand.
/// </summary>
internal static class AuditTrailTriggers
{
    public static IReadOnlyList<string> Sqlite { get; } =
    [
        "CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END;",
        "CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END;",
    ];

    public static IReadOnlyList<string> PostgreSql { get; } =
    [
        """
        CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_trail is append-only'; END $$;
        """,
        "CREATE TRIGGER audit_trail_no_change BEFORE UPDATE OR DELETE ON audit_trail FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only();",
        "CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_append_only();",
    ];
}
