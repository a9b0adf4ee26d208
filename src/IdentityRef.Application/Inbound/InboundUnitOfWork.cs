using IdentityRef.Domain.Common;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using IdentityRef.Application.Broadcast;

namespace IdentityRef.Application.Inbound;

/// <summary>
/// One inbound message, one transaction: what its handler changed, with the audit lines and the outbox rows, commits
/// together after the handler found no error, or nothing is written. The answer is the ACK: AA; AE naming the error (the
/// message's fault: the sender must not send it again as is); AR when the database takes no writes or a concurrent change
/// raced this one (not the message's fault: send it again later).
/// </summary>
public sealed partial class InboundUnitOfWork(IdentityRefDbContext db, InboundIntegration integration, InboundWriteGate gate, IOptions<Hl7Options> options,
    InboundFollowUps followUps, ILogger<InboundUnitOfWork> logger)
{
    private readonly InboundDurability _durability = options.Value.Inbound.Durability;

    public async Task<Hl7Message> IntegrateAsync(Hl7Message message, PamReadResult read, string sender, Hl7AckOptions ackOptions, CancellationToken cancellationToken) =>
        (await AttemptAsync(message, read, sender, ackOptions, mayRetry: false, cancellationToken))!;

    /// <summary>
    /// As <see cref="IntegrateAsync"/>, but a concurrent change of the same identity (another connection or server
    /// integrating a message about it) answers null when <paramref name="mayRetry"/>, nothing written: the caller applies
    /// the message again from the start, re-read and re-checked, in a new unit of work (this one's entities are stale).
    /// </summary>
    public async Task<Hl7Message?> AttemptAsync(Hl7Message message, PamReadResult read, string sender, Hl7AckOptions ackOptions, bool mayRetry,
        CancellationToken cancellationToken)
    {
        using var turn = db.Provider == DatabaseProvider.Sqlite ? await gate.EnterAsync(cancellationToken) : null;
        IDbContextTransaction transaction;
        try
        {
            transaction = await BeginAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseFaults.IsUnavailableForWrites(e))
        {
            IntegrationDeferred(logger, message.TriggerEvent, "database-unavailable");
            return Hl7Ack.Build(message, Hl7AckCode.Reject, [new Hl7Error(Hl7ErrorCode.ApplicationInternalError, Hl7Severity.Error, new Hl7Location("MSH", 1),
                "the database does not accept changes at the moment: send the message again later")], ackOptions);
        }
        await using var _ = transaction;
        await using var __ = new DurabilityReset(this, db);
        try
        {
            var errors = await integration.ApplyAsync(read, sender.Length > 0 ? sender : "unknown", cancellationToken);
            if (errors.Any(e => e.IsError))
            {
                await transaction.RollbackAsync(cancellationToken);
                await SaveFollowUpsAsync(message.TriggerEvent, cancellationToken);
                return Hl7Ack.Build(message, Hl7AckCode.Error, errors, ackOptions);
            }
            await transaction.CommitAsync(cancellationToken);
            return Hl7Ack.Build(message, Hl7AckCode.Accept, [.. read.Errors.Where(e => !e.IsError), .. errors], ackOptions);
        }
        catch (DbUpdateConcurrencyException) when (mayRetry)
        {
            await RollbackQuietlyAsync(transaction);
            return null;
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException || DatabaseFaults.IsUnavailableForWrites(e))
        {
            // Not the message's fault: the database takes no writes (read-only, full) or another change raced this one.
            // AR with nothing written, so that the sender sends it again later (AE would make it give up).
            await RollbackQuietlyAsync(transaction);
            IntegrationDeferred(logger, message.TriggerEvent, e is DbUpdateConcurrencyException ? "concurrent-change" : "database-unavailable");
            return Hl7Ack.Build(message, Hl7AckCode.Reject,
                [new Hl7Error(Hl7ErrorCode.ApplicationInternalError, Hl7Severity.Error, new Hl7Location("MSH", 1),
                    e is DbUpdateConcurrencyException ? "a concurrent change: send the message again" : "the database does not accept changes at the moment: send the message again later")],
                ackOptions);
        }
        catch (Exception e) when (e is DomainRuleException or DbUpdateException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            await SaveFollowUpsAsync(message.TriggerEvent, cancellationToken);
            var rule = e is DomainRuleException domainRule ? domainRule.Rule : "database";
            IntegrationRefused(logger, message.TriggerEvent, rule);
            return Hl7Ack.Build(message, Hl7AckCode.Error,
                [new Hl7Error(Hl7ErrorCode.ApplicationInternalError, Hl7Severity.Error, new Hl7Location("PID", 1), "refused by the rule " + rule)], ackOptions);
        }
    }

    /// <summary>
    /// Opens the unit of work's transaction under the durability policy (<see cref="InboundDurability"/>, <c>Hl7:Inbound:Durability</c>).
    /// Durable (default): the provider's durable commit, nothing changed. Relaxed: SQLite <c>synchronous=NORMAL</c> on this
    /// connection (a pragma SQLite takes only outside a transaction, so before BEGIN; put back to FULL when the unit of work
    /// ends, and every connection opened from the pool is set to FULL again: no other use of the connection inherits it);
    /// PostgreSQL <c>SET LOCAL synchronous_commit = off</c>, which ends with the transaction. Public for the tests that read
    /// the setting inside the unit of work.
    /// </summary>
    public async Task<IDbContextTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        if (_durability == InboundDurability.Relaxed && db.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            _relaxedSqliteConnection = true;
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL", cancellationToken);
        }
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (_durability == InboundDurability.Relaxed && db.Provider == DatabaseProvider.PostgreSql)
        {
            await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit = off", cancellationToken);
        }
        return transaction;
    }

    private bool _relaxedSqliteConnection;

    /// <summary>SQLite, relaxed: the connection goes back to FULL (and to the pool) when the unit of work ends.</summary>
    private sealed class DurabilityReset(InboundUnitOfWork work, IdentityRefDbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (!work._relaxedSqliteConnection)
            {
                return;
            }
            work._relaxedSqliteConnection = false;
            try
            {
                if (db.Database.CurrentTransaction is null)
                {
                    await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = FULL");
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private static async Task RollbackQuietlyAsync(IDbContextTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
        {
            // the failed transaction may already be gone; nothing was committed either way
        }
    }

    /// <summary>The refused message's work items for the cell; the ACK goes out whatever happens to them.</summary>
    private async Task SaveFollowUpsAsync(string trigger, CancellationToken cancellationToken)
    {
        try
        {
            await followUps.SaveAsync(db, cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException || DatabaseFaults.IsUnavailableForWrites(e))
        {
            FollowUpNotSaved(logger, trigger, e.GetType().Name);
        }
    }

    [LoggerMessage(LogEvents.InboundFollowUpNotSaved, LogLevel.Error, "Inbound {Trigger} refused: its work item for the vigilance cell was not saved ({Error})")]
    private static partial void FollowUpNotSaved(ILogger logger, string trigger, string error);

    [LoggerMessage(LogEvents.InboundDeferred, LogLevel.Warning, "Inbound {Trigger} answered AR to be sent again: {Reason}")]
    private static partial void IntegrationDeferred(ILogger logger, string trigger, string reason);

    [LoggerMessage(LogEvents.InboundRefused, LogLevel.Warning, "Inbound {Trigger} refused by the rule {Rule}")]
    private static partial void IntegrationRefused(ILogger logger, string trigger, string rule);
}

/// <summary>
/// SQLite takes one writer at a time, and the driver makes a second one wait by sleeping in steps of 150 ms on a blocked
/// thread: measured with the feed benchmark, four inbound connections integrated fewer messages a second than one. On
/// SQLite the inbound units of work therefore take their turn here (waiting without a thread, in order of arrival);
/// PostgreSQL writes in parallel and needs no turn. Each message is still its own transaction, answered after its commit.
/// </summary>
public sealed class InboundWriteGate
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
