using System.Data.Common;
using System.Text;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityRef.Application.TraitMatching;

/// <summary>
/// The columns of an identity that matching needs (traits, status, when a strict trait last changed), and its IPP: with it
/// a check-before-create answers from this one read, without loading the candidates it keeps.
/// </summary>
public sealed record MatchRow(Guid Id, string BirthName, string FirstNames, string? UsedName, string? UsedFirstName, DateOnly BirthDate,
    Sex Sex, string? BirthPlaceCode, string? Ins, string? Postcode, string? City, string? Address, IdentityStatus Status,
    DateTimeOffset StrictTraitsChangedAt, long Number, string Ipp)
{
    public MatchRecord ToRecord() => new(Id.ToString(), BirthName, IdentityMatching.SplitFirstNames(FirstNames), UsedName, UsedFirstName, BirthDate,
        (char)Sex, BirthPlaceCode, Ins, Postcode, City, Address);

    public static MatchRow Of(Identity i) => new(i.Id, i.BirthName, i.FirstNames, i.UsedName, i.UsedFirstName, i.BirthDate, i.Sex, i.BirthPlaceCode,
        i.InsValue, i.Postcode, i.City, i.Address, i.Status, i.StrictTraitsChangedAt, i.Number, i.Ipp);
}

/// <summary>
/// Reads <see cref="MatchRow"/>s with a plain data reader on the context's connection (and transaction). EF
/// materialisation was most of the cost of reading a million identities for full detection and key building;
/// the SQL is the same on both providers (quoted identifiers, standard predicates).
/// </summary>
public static class MatchRows
{
    private const string Columns = "i.\"Id\", i.\"BirthName\", i.\"FirstNames\", i.\"UsedName\", i.\"UsedFirstName\", i.\"BirthDate\", i.\"Sex\", " +
        "i.\"BirthPlaceCode\", i.\"InsValue\", i.\"Postcode\", i.\"City\", i.\"Address\", i.\"Status\", i.\"StrictTraitsChangedAt\", i.\"Number\", i.\"Ipp\"";

    private static readonly DateTimeOffsetToBinaryConverter SqliteTimestamp = new();

    /// <summary>Every active identity.</summary>
    public static Task<List<MatchRow>> ActiveAsync(IdentityRefDbContext db, CancellationToken cancellationToken) =>
        QueryAsync(db, $"SELECT {Columns} FROM identities i WHERE i.\"MergedIntoId\" IS NULL", [], cancellationToken);

    /// <summary>
    /// The active identities that have no <c>identity_keys</c> row, hence no blocking key (written in bulk without keys, or
    /// created before the keys existed): one look-up of that table's primary key per identity.
    /// </summary>
    public static Task<List<MatchRow>> WithoutKeysAsync(IdentityRefDbContext db, CancellationToken cancellationToken) =>
        QueryAsync(db, $"SELECT {Columns} FROM identities i WHERE i.\"MergedIntoId\" IS NULL " +
            "AND NOT EXISTS (SELECT 1 FROM identity_keys k WHERE k.\"IdentityNumber\" = i.\"Number\")", [], cancellationToken);

    /// <summary>
    /// The active identities holding at least one of the keys: one statement, a range search of the
    /// <c>match_keys</c> primary key (key first, so it covers the identity's number) then the identities by number: on SQLite
    /// their row id, one B-tree search each (<c>SqliteKeyTables</c>); on PostgreSQL the unique index on the number.
    /// </summary>
    public static Task<List<MatchRow>> ByKeysAsync(IdentityRefDbContext db, IReadOnlyCollection<long> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(new List<MatchRow>());
        }
        var sql = new StringBuilder($"SELECT {Columns} FROM identities i WHERE i.\"MergedIntoId\" IS NULL AND i.\"Number\" IN " +
            "(SELECT k.\"IdentityNumber\" FROM match_keys k WHERE k.\"Key\" IN (");
        for (var p = 0; p < keys.Count; p++)
        {
            sql.Append(p == 0 ? "@k0" : $", @k{p}");
        }
        sql.Append("))");
        return QueryAsync(db, sql.ToString(), keys.Select((k, p) => ($"@k{p}", (object)k)).ToList(), cancellationToken);
    }

    private static async Task<List<MatchRow>> QueryAsync(IdentityRefDbContext db, string sql, IReadOnlyList<(string Name, object Value)> parameters,
        CancellationToken cancellationToken)
    {
        var sqlite = db.Provider == DatabaseProvider.Sqlite;
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            var rows = new List<MatchRow>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(Read(reader, sqlite));
            }
            return rows;
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private static MatchRow Read(DbDataReader r, bool sqlite) => new(
        r.GetGuid(0),
        r.GetString(1),
        r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.GetFieldValue<DateOnly>(5),
        (Sex)r.GetString(6)[0],
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.IsDBNull(10) ? null : r.GetString(10),
        r.IsDBNull(11) ? null : r.GetString(11),
        IdentityStatusCodes.Parse(r.GetString(12)) ?? throw new InvalidOperationException("Unknown identity status code in the database."),
        // The same conversions as the EF model: SQLite stores DateTimeOffset as binary ticks (see IdentityRefDbContext).
        sqlite ? (DateTimeOffset)SqliteTimestamp.ConvertFromProvider(r.GetInt64(13))! : r.GetFieldValue<DateTimeOffset>(13),
        r.GetInt64(14),
        r.GetString(15));
}
