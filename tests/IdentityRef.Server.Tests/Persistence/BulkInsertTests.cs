using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Persistence;

/// <summary>
/// <see cref="BulkInsert"/> writes the import's rows past EF: on SQLite it binds the values through SQLite's own calls
/// instead of Microsoft.Data.Sqlite, on PostgreSQL it sends them by binary <c>COPY</c> (the import's speed). Every column
/// of the rows it writes must be stored exactly as EF's SaveChanges stores it, value and type, or the queries that compare
/// them (identifiers, dates, GUIDs, timestamps) would miss the imported rows.
/// </summary>
public sealed class BulkInsertTests(Databases databases) : IClassFixture<Databases>
{
    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task BulkRowsAreStoredExactlyAsSaveChangesStoresThem(DatabaseProvider provider)
    {
        var factory = databases[provider];
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var input = new IdentityInput
        {
            BirthName = "BULK" + PatientJson.UniqueLetters(), FirstNames = "Anne-Marie Lise", BirthDate = "1968-02-29", Sex = "F",
            BirthPlaceCode = "75056", UsedName = "D'ARC-MARTIN", UsedFirstName = "Annie", Address = "3 rue de l'Église",
            Postcode = "75001", City = "Paris", Phone = "0601020304",
        };
        var traits = IdentityValidator.Validate(input, factory.Services.GetRequiredService<IBirthPlaceDirectory>(), new DateOnly(2026, 1, 1)).Value;
        var sqlite = provider == DatabaseProvider.Sqlite;
        // SQLite stores a DateTimeOffset as UTC ticks, whatever its offset; PostgreSQL's driver takes UTC only (as the server writes).
        var now = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(sqlite ? 1 : 0)).AddTicks(1234);
        var first = await IdentityNumbers.AllocateAsync(db, 2, CancellationToken.None);
        (Identity Identity, IdentityIdentifier Identifier, IdentityRef.Persistence.Audit.AuditEntry Audit) Twin(long number)
        {
            var identity = Identity.Create(Guid.CreateVersion7(now), "BULK" + number, traits.Strict, traits.Complementary, traits.DeclaredIns, now);
            identity.AssignNumber(number);
            var identifier = new IdentityIdentifier { IdentityId = identity.Id, System = "urn:test:bulk", Value = "ÉX-" + number, CreatedAt = now };
            return (identity, identifier, AuditRecorder.Entry(identity, "identity.imported", before: null, new Actor("cli:import", "c0rr"), now));
        }
        // Two twins (same traits and dates): one written by SaveChanges, the other by BulkInsert.
        var (saved, savedIdentifier, savedAudit) = Twin(first);
        var (bulk, bulkIdentifier, bulkAudit) = Twin(first + 1);
        db.AddRange(saved, savedIdentifier, savedAudit);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await BulkInsert.InsertAsync(db, [bulk], CancellationToken.None);
            await BulkInsert.InsertAsync(db, [bulkIdentifier], CancellationToken.None);
            await BulkInsert.InsertAsync(db, [bulkAudit], CancellationToken.None);
            await transaction.CommitAsync();
        }

        var bySaveChanges = await RowsAsync(db, saved.Id);
        var byBulk = await RowsAsync(db, bulk.Id);
        // What tells the twins apart: their id, IPP, number, external id (and the audit line's snapshot, which holds the IPP).
        string[] own = ["Id", "Ipp", "Number", "IdentityId", "Value", "After"];
        foreach (var (table, columns) in bySaveChanges)
        {
            Assert.True(columns.Count > 3, table);
            Assert.Equal(columns.Count, byBulk[table].Count);
            for (var i = 0; i < columns.Count; i++)
            {
                var (column, type, value) = columns[i];
                Assert.Equal(column, byBulk[table][i].Column);
                Assert.Equal((column, type), (byBulk[table][i].Column, byBulk[table][i].Type));
                if (!own.Contains(column))
                {
                    Assert.Equal(columns[i], byBulk[table][i]);
                }
            }
        }
        Assert.Contains(("BirthDate", sqlite ? "text" : "date", "'1968-02-29'"), byBulk["identities"]);
        Assert.Contains(("Id", sqlite ? "text" : "uuid", $"'{(sqlite ? bulk.Id.ToString().ToUpperInvariant() : bulk.Id.ToString())}'"), byBulk["identities"]);
        // EF's own queries find the bulk rows by their GUID, number and external id (same text, same storage class).
        Assert.True(await db.Identities.AnyAsync(i => i.Id == bulk.Id && i.Number == first + 1 && i.BirthDate == new DateOnly(1968, 2, 29) && i.CreatedAt == now));
        Assert.Equal(bulk.Id, await db.Identifiers.Where(i => i.System == "urn:test:bulk" && i.Value == bulkIdentifier.Value).Select(i => i.IdentityId).SingleAsync());
        Assert.Equal("identity.imported", await db.AuditTrail.Where(a => a.IdentityId == bulk.Id && a.At == now).Select(a => a.Action).SingleAsync());

        // A constraint broken inside the raw path is an error, not a silent skip (the same identity again: unique IPP).
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var error = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => BulkInsert.InsertAsync(db, [bulk], CancellationToken.None));
            Assert.Equal(sqlite ? "19" : "23505", sqlite ? ((Microsoft.Data.Sqlite.SqliteException)error).SqliteErrorCode.ToString() : error.SqlState);
        }
    }

    /// <summary>Per table, every column of the rows of the identity (but the generated ids) as (column, stored type, quoted value).</summary>
    private static async Task<Dictionary<string, List<(string Column, string Type, string Value)>>> RowsAsync(IdentityRefDbContext db, Guid identityId)
    {
        var rows = new Dictionary<string, List<(string, string, string)>>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        foreach (var (clrType, idColumn) in new[] { (typeof(Identity), "Id"), (typeof(IdentityIdentifier), "IdentityId"), (typeof(IdentityRef.Persistence.Audit.AuditEntry), "IdentityId") })
        {
            var entity = db.Model.FindEntityType(clrType)!;
            var table = entity.GetTableName()!;
            var columns = entity.GetProperties().Select(p => p.GetColumnName(StoreObjectIdentifier.Table(table, null))!)
                .Where(c => !(clrType == typeof(IdentityRef.Persistence.Audit.AuditEntry) && c == "Id") && !(clrType == typeof(IdentityIdentifier) && c == "Id")).ToList();
            await using var command = connection.CreateCommand();
            // The stored type and the value as SQL text: SQLite's storage class and quote(); PostgreSQL's type and quote_nullable().
            var typed = db.Provider == DatabaseProvider.Sqlite
                ? columns.Select(c => $"typeof(\"{c}\"), quote(\"{c}\")")
                : columns.Select(c => $"pg_typeof(\"{c}\")::text, coalesce(quote_nullable(\"{c}\"), 'NULL')");
            command.CommandText = $"SELECT {string.Join(", ", typed)} FROM \"{table}\" WHERE \"{idColumn}\" = @id";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = identityId;
            command.Parameters.Add(parameter);
            var found = new List<(string, string, string)>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < columns.Count; i++)
                {
                    found.Add((columns[i], reader.GetString(2 * i), reader.GetString((2 * i) + 1)));
                }
            }
            rows[table] = found;
        }
        return rows;
    }
}
