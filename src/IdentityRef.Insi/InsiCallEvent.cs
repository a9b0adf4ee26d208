namespace IdentityRef.Insi;

/// <summary>How one HTTP attempt ended.</summary>
public enum InsiAttemptStatus
{
    Answered,
    Fault,
    HttpError,
    Malformed,
    Timeout,
    NetworkFailure,
}

/// <summary>
/// One HTTP attempt, for logs and metrics. Carries no patient data by construction: operation, codes,
/// status and timing only.
/// </summary>
public sealed record InsiCallEvent(
    string Operation,
    string MessageId,
    int Attempt,
    InsiAttemptStatus Status,
    int? HttpStatus,
    string? ResultCode,
    string? FaultCode,
    TimeSpan Duration);

/// <summary>Receives <see cref="InsiCallEvent"/>s; the host adapts it to its logger (no logging package here).</summary>
public interface IInsiCallObserver
{
    void OnAttempt(InsiCallEvent callEvent);
}

/// <summary>The adapter's spans (one per HTTP attempt: operation, attempt, outcome, codes; never a trait or an INS).</summary>
public static class InsiTelemetry
{
    public const string SourceName = "IdentityRef.Insi";

    public static readonly System.Diagnostics.ActivitySource Source = new(SourceName);
}
