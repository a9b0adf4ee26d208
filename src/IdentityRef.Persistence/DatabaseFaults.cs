using Microsoft.Data.Sqlite;
using Npgsql;

namespace IdentityRef.Persistence;

/// <summary>
/// Tells the database failures that are expected in operation from bugs, on both providers: a unique guard that
/// lost a race (the caller answers 409 naming the field), and a database that takes no writes (read-only file or
/// transaction, full disk, quota: the caller answers 503 and the sender retries later).
/// </summary>
public static class DatabaseFaults
{
    // SQLite primary result codes (https://sqlite.org/rescode.html).
    private const int SqliteReadOnly = 8, SqliteIoError = 10, SqliteFull = 13, SqliteCantOpen = 14, SqliteConstraint = 19;

    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (extended codes).
    private const int SqliteConstraintUnique = 2067, SqliteConstraintPrimaryKey = 1555;

    /// <summary>The exception, or one of its inner exceptions, is a unique or primary-key violation.</summary>
    public static bool IsUniqueViolation(Exception exception) => Causes(exception).Any(e => e switch
    {
        SqliteException s => s.SqliteErrorCode == SqliteConstraint && s.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    });

    /// <summary>A unique or primary-key violation on one of <paramref name="tables"/>.</summary>
    public static bool IsUniqueViolationOn(Exception exception, params string[] tables) => Causes(exception).Any(e => e switch
    {
        SqliteException s => s.SqliteErrorCode == SqliteConstraint && s.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey
            && tables.Any(t => s.Message.Contains($"failed: {t}.", StringComparison.Ordinal)),
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation && tables.Contains(p.TableName),
        _ => false,
    });

    /// <summary>
    /// The database refuses writes for a reason of its own, not of the request: a read-only file, database or
    /// transaction, a full disk, an exhausted quota, an I/O error, a file that cannot be opened.
    /// </summary>
    public static bool IsUnavailableForWrites(Exception exception) => Causes(exception).Any(e => e switch
    {
        SqliteException s => s.SqliteErrorCode is SqliteReadOnly or SqliteFull or SqliteIoError or SqliteCantOpen,
        PostgresException p => p.SqlState is PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.DiskFull
            or PostgresErrorCodes.InsufficientResources or PostgresErrorCodes.OutOfMemory or PostgresErrorCodes.TooManyConnections
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow
            || p.SqlState.StartsWith("53", StringComparison.Ordinal), // class 53: insufficient resources
        NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException or TimeoutException } => true,
        _ => false,
    });

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
