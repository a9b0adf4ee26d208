using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace IdentityRef.Persistence;

/// <summary>
/// Inserts many new rows of one entity type with one prepared command, inside the context's current transaction.
/// The statement, columns and value conversions all come from the EF model, so the rows are exactly what
/// SaveChanges would write — at the speed of the database rather than of change tracking (import of a million
/// identities). Store-generated keys are left to the database and not read back.
/// </summary>
public static class BulkInsert
{
    public static Task InsertAsync<T>(IdentityRefDbContext db, IEnumerable<T> entities, CancellationToken cancellationToken) where T : class =>
        InsertAsync(db, typeof(T), entities, cancellationToken);

    /// <summary>Inserts every entity the change tracker holds as added, then saves whatever else it tracks.</summary>
    public static async Task SaveChangesInBulkAsync(IdentityRefDbContext db, CancellationToken cancellationToken)
    {
        var added = db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList();
        foreach (var group in added.GroupBy(e => e.Entity.GetType()))
        {
            await InsertAsync(db, group.Key, group.Select(e => e.Entity), cancellationToken);
        }
        foreach (var entry in added)
        {
            entry.State = EntityState.Detached;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public static async Task InsertAsync(IdentityRefDbContext db, Type clrType, IEnumerable<object> entities, CancellationToken cancellationToken)
    {
        var entityType = db.Model.FindEntityType(clrType) ?? throw new InvalidOperationException($"{clrType.Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var properties = entityType.GetProperties().Where(p => p.ValueGenerated != ValueGenerated.OnAdd || !p.IsPrimaryKey()).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();

        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", properties.Select((_, i) => "@p" + i))})";
        var getters = new List<Func<object, object?>>();
        for (var i = 0; i < properties.Count; i++)
        {
            var property = properties[i];
            var mapping = property.GetRelationalTypeMapping();
            var parameter = mapping.CreateParameter(command, "@p" + i, null, property.IsNullable);
            command.Parameters.Add(parameter);
            var getter = property.GetGetter();
            var converter = mapping.Converter;
            getters.Add(entity =>
            {
                var value = getter.GetClrValue(entity);
                return converter is null || value is null ? value : converter.ConvertToProvider(value);
            });
        }
        await command.PrepareAsync(cancellationToken);
        foreach (var entity in entities)
        {
            for (var i = 0; i < getters.Count; i++)
            {
                command.Parameters[i].Value = getters[i](entity) ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
