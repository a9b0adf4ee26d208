namespace IdentityRef.Domain.Common;

/// <summary>
/// An operation that the national rules forbid in the identity's current state (e.g. an INSi call on a
/// doubtful identity). Carries the rule that applies so that the API and the screens can say why.
/// </summary>
public sealed class DomainRuleException(string rule, string message) : Exception(message)
{
    /// <summary>The rule's reference, e.g. <c>RNIV EXI SI 09</c>, or a stable code of ours.</summary>
    public string Rule { get; } = rule;

    /// <summary>The finer rule that decided, when the rule has several (e.g. <c>sex-differs</c> under <c>insi-different-person</c>).</summary>
    public string? Reason { get; init; }
}
