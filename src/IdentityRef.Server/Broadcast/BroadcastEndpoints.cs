using IdentityRef.Application.Security;
using IdentityRef.Application.Broadcast;
using IdentityRef.Domain.Common;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Broadcast;

/// <summary>Downstream systems (<c>/api/subscriptions</c>) and the message monitor (<c>/api/messages</c>).</summary>
public static class BroadcastEndpoints
{
    public static void MapBroadcastEndpoints(this IEndpointRouteBuilder app)
    {
        var subscriptions = app.MapGroup("/api/subscriptions").WithTags("Broadcast").RequireAuthorization(Policies.Subscriptions);
        subscriptions.MapPost("/", CreateAsync).Accepts<SubscriptionRequest>("application/json").Produces<SubscriptionResponse>(201).ProducesValidationProblem()
            .WithSummary("Register a downstream system: it receives every identity change as PAM FR messages over MLLP.");
        subscriptions.MapGet("/", ListAsync).Produces<IReadOnlyList<SubscriptionResponse>>().WithSummary("The subscribed systems with their message counts by state.");
        subscriptions.MapGet("/{id:guid}", GetAsync).Produces<SubscriptionResponse>().ProducesProblem(404);
        subscriptions.MapPut("/{id:guid}", UpdateAsync).Accepts<SubscriptionRequest>("application/json").Produces<SubscriptionResponse>().ProducesValidationProblem().ProducesProblem(404)
            .WithSummary("Change a subscription (fields left out keep their value).");
        subscriptions.MapPost("/{id:guid}/disable", (Guid id, SubscriptionService service, CancellationToken ct) => SetEnabledAsync(id, false, service, ct))
            .Produces<SubscriptionResponse>().ProducesProblem(404).WithSummary("Stop delivering to this system (messages are kept).");
        subscriptions.MapPost("/{id:guid}/enable", (Guid id, SubscriptionService service, CancellationToken ct) => SetEnabledAsync(id, true, service, ct))
            .Produces<SubscriptionResponse>().ProducesProblem(404).WithSummary("Deliver to this system again, from where it stopped.");
        subscriptions.MapPost("/{id:guid}/test", TestAsync).ProducesProblem(404).WithSummary("Try to open an MLLP connection to the system.");

        var messages = app.MapGroup("/api/messages").WithTags("Broadcast").RequireAuthorization(Policies.Messages);
        messages.MapGet("/", ListMessagesAsync).Produces<PageResponseOfMessages>().ProducesValidationProblem()
            .WithQuery(("state", "pending, sent, acknowledged, error or parked."), ("subscriptionId", "One subscribed system (GUID)."),
                QueryParameters.Page, QueryParameters.PageSize(50, 500))
            .WithSummary("The message monitor: messages by state (pending, sent, acknowledged, error, parked), newest first.");
        messages.MapPost("/{id:long}/resend", ResendAsync).Produces<MessageResponse>(201).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Send a message again: a copy with a new control id joins the end of the system's queue.")
            .WithDescription("Refused (409, rule resend-superseded, laterMessageId) when a later message of the same system is about the same "
                + "patient: the copy would arrive after it with older data. Refused too (409, rule resend-ins-not-shareable or "
                + "resend-confidence-lowered) when the message carries an INS its identity does not hold today as a qualified identity, "
                + "or PID-32 VALI for an identity no longer qualified or validated.");
    }

    public sealed record PageResponseOfMessages(IReadOnlyList<MessageResponse> Items, int Page, int PageSize, int Total);

    private static async Task<IResult> CreateAsync(HttpContext http, SubscriptionService subscriptions, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SubscriptionRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        var created = await subscriptions.CreateAsync(body.Value, ct);
        return created.IsSuccess
            ? Results.Created($"/api/subscriptions/{created.Value.Id}", SubscriptionResponse.From(created.Value))
            : Problems.Validation(created.Errors);
    }

    private static async Task<IResult> ListAsync(SubscriptionService subscriptions, CancellationToken ct) =>
        Results.Ok((await subscriptions.ListAsync(ct)).Select(s => SubscriptionResponse.From(s.Subscription, s.Counts)).ToList());

    private static async Task<IResult> GetAsync(Guid id, SubscriptionService subscriptions, CancellationToken ct) =>
        await subscriptions.FindAsync(id, ct) is { } s
            ? Results.Ok(SubscriptionResponse.From(s))
            : Problems.NotFound("Subscription");

    private static async Task<IResult> UpdateAsync(Guid id, HttpContext http, SubscriptionService subscriptions, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await subscriptions.FindAsync(id, ct) is null)
        {
            return Problems.NotFound("Subscription");
        }
        var body = await JsonBody.ReadAsync<SubscriptionRequest>(http.Request, json.Value.SerializerOptions);
        if (!body.IsSuccess)
        {
            return Problems.Validation(body.Errors);
        }
        return await subscriptions.UpdateAsync(id, body.Value, ct) switch
        {
            null => Problems.NotFound("Subscription"),
            { IsSuccess: true } updated => Results.Ok(SubscriptionResponse.From(updated.Value)),
            { } failed => Problems.Validation(failed.Errors),
        };
    }

    private static async Task<IResult> SetEnabledAsync(Guid id, bool enabled, SubscriptionService subscriptions, CancellationToken ct) =>
        await subscriptions.SetEnabledAsync(id, enabled, ct) is { } subscription
            ? Results.Ok(SubscriptionResponse.From(subscription))
            : Problems.NotFound("Subscription");

    private static async Task<IResult> TestAsync(Guid id, SubscriptionService subscriptions, CancellationToken ct) =>
        await subscriptions.TestConnectionAsync(id, ct) is { } test
            ? Results.Ok(new { reachable = test.Reachable, detail = test.Detail })
            : Problems.NotFound("Subscription");

    private static async Task<IResult> ListMessagesAsync(HttpContext http, MessageService messages, CancellationToken ct)
    {
        var q = http.Request.Query;
        var errors = new ErrorCollector();
        string? state = null;
        if (q["state"].ToString() is { Length: > 0 } givenState)
        {
            if (!OutboxStates.All.Contains(givenState))
            {
                errors.Add("state", "invalid-value", "The state is one of: " + string.Join(", ", OutboxStates.All) + ".");
            }
            state = givenState;
        }
        Guid? subscriptionId = null;
        if (q["subscriptionId"].ToString() is { Length: > 0 } sub)
        {
            if (Guid.TryParse(sub, out var parsed))
            {
                subscriptionId = parsed;
            }
            else
            {
                errors.Add("subscriptionId", "invalid-format", "Expected a subscription id (GUID).");
            }
        }
        var pagingErrors = new List<FieldError>();
        var (page, pageSize) = QueryValues.Paging(q, 50, 500, pagingErrors);
        pagingErrors.ForEach(errors.Add);
        if (errors.HasErrors)
        {
            return Problems.Validation(errors.Errors);
        }
        var found = await messages.ListAsync(state, subscriptionId, page, pageSize, ct);
        return Results.Ok(new PageResponseOfMessages(found.Items, found.Page, found.PageSize, found.Total));
    }

    private static async Task<IResult> ResendAsync(long id, MessageService messages, CancellationToken ct) =>
        await messages.ResendAsync(id, ct) switch
        {
            { Copy: { } copy } => Results.Created($"/api/messages/{copy.Id}", copy),
            { Refusal: { } refusal } => Problems.ResendRefused(refusal),
            _ => Problems.NotFound("Message"),
        };
}
