using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Broadcast;

/// <summary>A subscription with the number of its messages in each state.</summary>
public sealed record SubscriptionWithCounts(Subscription Subscription, IReadOnlyDictionary<string, int> Counts)
{
    public int CountOf(string state) => Counts.TryGetValue(state, out var count) ? count : 0;
}

/// <summary>The outcome of "test the connection": whether an MLLP connection could be opened, and why not.</summary>
public sealed record ConnectionTest(bool Reachable, string Detail);

/// <summary>
/// Subscriptions of downstream systems, as the API (<c>/api/subscriptions</c>) and the integrators' screens
/// both manage them: one set of validation rules, one duplicate-name check.
/// </summary>
public sealed partial class SubscriptionService(IdentityRefDbContext db, TimeProvider clock)
{
    public static IReadOnlyList<string> Charsets { get; } = ["UNICODE UTF-8", "8859/15", "8859/1", "ASCII"];

    public static FieldError DuplicateName { get; } = new("name", "duplicate", "A subscription with this name already exists.");

    /// <summary>
    /// Saves; false when another request took the name between the check and the insert (the unique index is the
    /// guard): the same answer as a name already taken, and nothing of this unit of work is left to be saved.
    /// </summary>
    private async Task<bool> SaveUniqueNameAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (DatabaseFaults.IsUniqueViolation(e))
        {
            db.Entry(subscription).State = EntityState.Detached;
            return false;
        }
    }

    public async Task<IReadOnlyList<SubscriptionWithCounts>> ListAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await db.Subscriptions.AsNoTracking().OrderBy(s => s.Name).ToListAsync(cancellationToken);
        var counts = await db.Outbox.GroupBy(m => new { m.SubscriptionId, m.State })
            .Select(g => new { g.Key.SubscriptionId, g.Key.State, Count = g.Count() }).ToListAsync(cancellationToken);
        return subscriptions.Select(s => new SubscriptionWithCounts(s,
            counts.Where(c => c.SubscriptionId == s.Id).ToDictionary(c => c.State, c => c.Count))).ToList();
    }

    public Task<Subscription?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);

    public async Task<Result<Subscription>> CreateAsync(SubscriptionRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var subscription = new Subscription
        {
            Id = Guid.NewGuid(), Name = "", Host = "", ReceivingApplication = "", ReceivingFacility = "", Charset = "UNICODE UTF-8",
            Enabled = true, CreatedAt = now, UpdatedAt = now,
        };
        if (Apply(subscription, request, creating: true) is { Count: > 0 } errors)
        {
            return Result<Subscription>.Failure(errors);
        }
        if (await db.Subscriptions.AnyAsync(s => s.Name == subscription.Name, cancellationToken))
        {
            return DuplicateName;
        }
        db.Subscriptions.Add(subscription);
        if (!await SaveUniqueNameAsync(subscription, cancellationToken))
        {
            return DuplicateName;
        }
        return subscription;
    }

    /// <summary>Changes the given fields (those left null keep their value); null when there is no such subscription.</summary>
    public async Task<Result<Subscription>?> UpdateAsync(Guid id, SubscriptionRequest request, CancellationToken cancellationToken)
    {
        if (await db.Subscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is not { } subscription)
        {
            return null;
        }
        if (Apply(subscription, request, creating: false) is { Count: > 0 } errors)
        {
            db.Entry(subscription).State = EntityState.Detached; // nothing half-applied is saved later by this unit of work
            return Result<Subscription>.Failure(errors);
        }
        if (await db.Subscriptions.AnyAsync(s => s.Name == subscription.Name && s.Id != id, cancellationToken))
        {
            db.Entry(subscription).State = EntityState.Detached;
            return DuplicateName;
        }
        subscription.UpdatedAt = clock.GetUtcNow();
        if (!await SaveUniqueNameAsync(subscription, cancellationToken))
        {
            return DuplicateName;
        }
        return subscription;
    }

    /// <summary>Starts or stops the delivery to this system (its messages are kept); null when there is no such subscription.</summary>
    public async Task<Subscription?> SetEnabledAsync(Guid id, bool enabled, CancellationToken cancellationToken)
    {
        if (await db.Subscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken) is not { } subscription)
        {
            return null;
        }
        subscription.Enabled = enabled;
        subscription.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return subscription;
    }

    /// <summary>Tries to open an MLLP connection to the system (nothing is sent); null when there is no such subscription.</summary>
    public async Task<ConnectionTest?> TestConnectionAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } subscription)
        {
            return null;
        }
        await using var client = new MllpClient(new MllpClientOptions
        {
            Host = subscription.Host, Port = subscription.Port, UseTls = subscription.UseTls, ConnectTimeout = TimeSpan.FromSeconds(5),
        });
        var failure = await client.ConnectAsync(cancellationToken);
        return failure is null ? new ConnectionTest(true, "connected") : new ConnectionTest(false, $"{failure.Status}: {failure.Detail}");
    }

    /// <summary>Applies the given fields and returns what is wrong with the result.</summary>
    public static List<FieldError> Apply(Subscription s, SubscriptionRequest r, bool creating)
    {
        var errors = new List<FieldError>();
        void Text(string? value, string field, int max, Action<string> set)
        {
            if (value is null)
            {
                if (creating)
                {
                    errors.Add(new FieldError(field, "required", "This field is required."));
                }
                return;
            }
            var text = value.Trim();
            if (text.Length == 0 || text.Length > max || text.Any(c => char.IsControl(c) || c is '|' or '^' or '~' or '\\' or '&'))
            {
                errors.Add(new FieldError(field, "invalid-value", $"1 to {max} characters, without HL7 delimiters (| ^ ~ \\ &)."));
                return;
            }
            set(text);
        }
        Text(r.Name, "name", 100, v => s.Name = v);
        Text(r.Host, "host", 255, v => s.Host = v);
        if (r.Host is not null && !HostPattern().IsMatch(r.Host.Trim()))
        {
            errors.Add(new FieldError("host", "invalid-value", "A host name or an IP address."));
        }
        Text(r.ReceivingApplication, "receivingApplication", 100, v => s.ReceivingApplication = v);
        Text(r.ReceivingFacility, "receivingFacility", 100, v => s.ReceivingFacility = v);
        if (r.Port is { } port)
        {
            if (port is < 1 or > 65535)
            {
                errors.Add(new FieldError("port", "invalid-value", "A TCP port from 1 to 65535."));
            }
            s.Port = port;
        }
        else if (creating)
        {
            errors.Add(new FieldError("port", "required", "This field is required."));
        }
        if (r.Charset is not null)
        {
            if (!Charsets.Contains(r.Charset))
            {
                errors.Add(new FieldError("charset", "invalid-value", "MSH-18: " + string.Join(", ", Charsets) + "."));
            }
            s.Charset = r.Charset;
        }
        if (r.UseTls is { } tls)
        {
            s.UseTls = tls;
        }
        if (r.Enabled is { } enabled)
        {
            s.Enabled = enabled;
        }
        if (r.Events is not null)
        {
            var unknown = r.Events.Where(e => !Enum.TryParse<PamEvent>(e, ignoreCase: true, out _)).ToList();
            if (unknown.Count > 0)
            {
                errors.Add(new FieldError("events", "invalid-value", "Events are among " + string.Join(", ", Enum.GetNames<PamEvent>()) + "."));
            }
            s.Events = string.Join(',', r.Events.Select(e => e.Trim().ToUpperInvariant()));
        }
        return errors;
    }

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.\-:]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:]+\]$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();
}
