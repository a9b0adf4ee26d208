using IdentityRef.Persistence;

namespace IdentityRef.Application.Broadcast;

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
