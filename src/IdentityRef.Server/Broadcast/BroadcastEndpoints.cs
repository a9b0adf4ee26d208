using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Broadcast;

public sealed record SubscriptionRequest(string? Name, string? Host, int? Port, string? ReceivingApplication, string? ReceivingFacility,
    string? Charset, bool? UseTls, bool? Enabled, IReadOnlyList<string>? Events);

public sealed record SubscriptionResponse(Guid Id, string Name, string Host, int Port, string ReceivingApplication, string ReceivingFacility,
    string Charset, bool UseTls, bool Enabled, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, int>? Messages)
{
    public static SubscriptionResponse From(Subscription s, IReadOnlyDictionary<string, int>? counts = null) => new(s.Id, s.Name, s.Host, s.Port,
        s.ReceivingApplication, s.ReceivingFacility, s.Charset, s.UseTls, s.Enabled,
        s.Events.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), s.CreatedAt, s.UpdatedAt, counts);
}

public sealed record MessageResponse(long Id, Guid SubscriptionId, string Event, string ControlId, string State, int Attempts, string? AckCode,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? AcknowledgedAt, DateTimeOffset NextAttemptAt);

/// <summary>Downstream systems (<c>/api/subscriptions</c>) and the message monitor (<c>/api/messages</c>).</summary>
public static partial class BroadcastEndpoints
{
    private static readonly string[] Charsets = ["UNICODE UTF-8", "8859/15", "8859/1", "ASCII"];

    public static void MapBroadcastEndpoints(this IEndpointRouteBuilder app)
    {
        var subscriptions = app.MapGroup("/api/subscriptions").WithTags("Broadcast").RequireAuthorization(Security.Policies.Subscriptions);
        subscriptions.MapPost("/", CreateAsync).Accepts<SubscriptionRequest>("application/json").Produces<SubscriptionResponse>(201).ProducesValidationProblem()
            .WithSummary("Register a downstream system: it receives every identity change as PAM FR messages over MLLP.");
        subscriptions.MapGet("/", ListAsync).Produces<IReadOnlyList<SubscriptionResponse>>().WithSummary("The subscribed systems with their message counts by state.");
        subscriptions.MapGet("/{id:guid}", GetAsync).Produces<SubscriptionResponse>().ProducesProblem(404);
        subscriptions.MapPut("/{id:guid}", UpdateAsync).Accepts<SubscriptionRequest>("application/json").Produces<SubscriptionResponse>().ProducesValidationProblem().ProducesProblem(404)
            .WithSummary("Change a subscription (fields left out keep their value).");
        subscriptions.MapPost("/{id:guid}/disable", (Guid id, IdentityRefDbContext db, TimeProvider clock, CancellationToken ct) => SetEnabledAsync(id, false, db, clock, ct))
            .Produces<SubscriptionResponse>().ProducesProblem(404).WithSummary("Stop delivering to this system (messages are kept).");
        subscriptions.MapPost("/{id:guid}/enable", (Guid id, IdentityRefDbContext db, TimeProvider clock, CancellationToken ct) => SetEnabledAsync(id, true, db, clock, ct))
            .Produces<SubscriptionResponse>().ProducesProblem(404).WithSummary("Deliver to this system again, from where it stopped.");
        subscriptions.MapPost("/{id:guid}/test", TestAsync).ProducesProblem(404).WithSummary("Try to open an MLLP connection to the system.");

        var messages = app.MapGroup("/api/messages").WithTags("Broadcast").RequireAuthorization(Security.Policies.Messages);
        messages.MapGet("/", ListMessagesAsync).Produces<PageResponseOfMessages>().ProducesValidationProblem()
            .WithSummary("The message monitor: messages by state (pending, sent, acknowledged, error, parked), newest first.");
        messages.MapPost("/{id:long}/resend", ResendAsync).Produces<MessageResponse>(201).ProducesProblem(404)
            .WithSummary("Send a message again: a copy with a new control id joins the end of the system's queue.");
    }

    public sealed record PageResponseOfMessages(IReadOnlyList<MessageResponse> Items, int Page, int PageSize, int Total);

    private static async Task<IResult> CreateAsync(HttpContext http, IdentityRefDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SubscriptionRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        var now = clock.GetUtcNow();
        var subscription = new Subscription
        {
            Id = Guid.NewGuid(), Name = "", Host = "", ReceivingApplication = "", ReceivingFacility = "", Charset = "UNICODE UTF-8",
            Enabled = true, CreatedAt = now, UpdatedAt = now,
        };
        if (Apply(subscription, body.Value, creating: true) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }
        if (await db.Subscriptions.AnyAsync(s => s.Name == subscription.Name, ct))
        {
            return Problems.Validation("name", "duplicate", "A subscription with this name already exists.");
        }
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync(ct);
        return Results.Created($"/api/subscriptions/{subscription.Id}", SubscriptionResponse.From(subscription));
    }

    private static async Task<IResult> ListAsync(IdentityRefDbContext db, CancellationToken ct)
    {
        var subscriptions = await db.Subscriptions.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        var counts = await db.Outbox.GroupBy(m => new { m.SubscriptionId, m.State }).Select(g => new { g.Key.SubscriptionId, g.Key.State, Count = g.Count() }).ToListAsync(ct);
        return Results.Ok(subscriptions.Select(s => SubscriptionResponse.From(s,
            counts.Where(c => c.SubscriptionId == s.Id).ToDictionary(c => c.State, c => c.Count))).ToList());
    }

    private static async Task<IResult> GetAsync(Guid id, IdentityRefDbContext db, CancellationToken ct) =>
        await db.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } s
            ? Results.Ok(SubscriptionResponse.From(s))
            : Problems.NotFound("Subscription");

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, IdentityRefDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await db.Subscriptions.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } subscription)
        {
            return Problems.NotFound("Subscription");
        }
        var body = await JsonBody.ReadAsync<SubscriptionRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        if (Apply(subscription, body.Value, creating: false) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }
        if (await db.Subscriptions.AnyAsync(s => s.Name == subscription.Name && s.Id != id, ct))
        {
            return Problems.Validation("name", "duplicate", "A subscription with this name already exists.");
        }
        subscription.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return Results.Ok(SubscriptionResponse.From(subscription));
    }

    private static async Task<IResult> SetEnabledAsync(Guid id, bool enabled, IdentityRefDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (await db.Subscriptions.FirstOrDefaultAsync(s => s.Id == id, ct) is not { } subscription)
        {
            return Problems.NotFound("Subscription");
        }
        subscription.Enabled = enabled;
        subscription.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return Results.Ok(SubscriptionResponse.From(subscription));
    }

    private static async Task<IResult> TestAsync(Guid id, IdentityRefDbContext db, CancellationToken ct)
    {
        if (await db.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is not { } subscription)
        {
            return Problems.NotFound("Subscription");
        }
        await using var client = new MllpClient(new MllpClientOptions
        {
            Host = subscription.Host, Port = subscription.Port, UseTls = subscription.UseTls, ConnectTimeout = TimeSpan.FromSeconds(5),
        });
        var failure = await client.ConnectAsync(ct);
        return Results.Ok(new { reachable = failure is null, detail = failure is null ? "connected" : $"{failure.Status}: {failure.Detail}" });
    }

    private static async Task<IResult> ListMessagesAsync(HttpContext http, IdentityRefDbContext db, CancellationToken ct)
    {
        var q = http.Request.Query;
        var query = db.Outbox.AsNoTracking();
        var errors = new ErrorCollector();
        if (q["state"].ToString() is { Length: > 0 } state)
        {
            if (!OutboxStates.All.Contains(state))
            {
                errors.Add("state", "invalid-value", "The state is one of: " + string.Join(", ", OutboxStates.All) + ".");
            }
            query = query.Where(m => m.State == state);
        }
        if (q["subscriptionId"].ToString() is { Length: > 0 } sub)
        {
            if (Guid.TryParse(sub, out var subscriptionId))
            {
                query = query.Where(m => m.SubscriptionId == subscriptionId);
            }
            else
            {
                errors.Add("subscriptionId", "invalid-format", "Expected a subscription id (GUID).");
            }
        }
        var page = int.TryParse(q["page"], out var p) && p > 0 ? p : 1;
        var pageSize = int.TryParse(q["pageSize"], out var s) && s is > 0 and <= 500 ? s : 50;
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.Errors);
        }
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(m => m.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(m => new MessageResponse(m.Id, m.SubscriptionId, m.Event, m.ControlId, m.State, m.Attempts, m.AckCode, m.LastError,
                m.CreatedAt, m.SentAt, m.AcknowledgedAt, m.NextAttemptAt))
            .ToListAsync(ct);
        return Results.Ok(new PageResponseOfMessages(items, page, pageSize, total));
    }

    private static async Task<IResult> ResendAsync(long id, IdentityRefDbContext db, TimeProvider clock, OutboxSignal signal, CancellationToken ct)
    {
        if (await db.Outbox.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct) is not { } original)
        {
            return Problems.NotFound("Message");
        }
        var parsed = Hl7Parser.Parse(original.Payload);
        var controlId = Guid.NewGuid().ToString("N")[..20];
        var header = parsed.Message!.Segments[0].WithValue(10, controlId);
        var copy = new Hl7Message([header, .. parsed.Message.Segments.Skip(1)]);
        var now = clock.GetUtcNow();
        var message = new OutboxMessage
        {
            SubscriptionId = original.SubscriptionId, IdentityId = original.IdentityId, Event = original.Event, ControlId = controlId,
            Payload = copy.ToBytes(parsed.Charset ?? Hl7Charset.Utf8), State = OutboxStates.Pending, NextAttemptAt = now, CreatedAt = now,
        };
        db.Outbox.Add(message);
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return Results.Created($"/api/messages/{message.Id}", new MessageResponse(message.Id, message.SubscriptionId, message.Event, message.ControlId,
            message.State, 0, null, null, message.CreatedAt, null, null, message.NextAttemptAt));
    }

    /// <summary>Applies the given fields and returns what is wrong with the result.</summary>
    private static List<FieldError> Apply(Subscription s, SubscriptionRequest r, bool creating)
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
