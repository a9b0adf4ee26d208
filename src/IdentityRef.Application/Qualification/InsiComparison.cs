using System.Text.Json;
using IdentityRef.Application.Audit;
using IdentityRef.Application.TraitMatching;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;
using IdentityRef.Persistence;

namespace IdentityRef.Application.Qualification;

/// <summary>
/// The local identity against the teleservice's answer. <see cref="Explanation"/> is the matcher's (per trait the level,
/// the weight and both values; A = local, B = INSi). <see cref="Contradicting"/> names the strict traits (and the INS)
/// that differ as written while both sides have a value: the INS traits must be taken exactly, so a first name missing
/// from the list is a contradiction even where the matcher finds the people alike.
/// </summary>
public sealed record InsiComparison(MatchResult Result, PairExplanation Explanation, IReadOnlyList<string> Contradicting)
{
    public bool Contradicts => Contradicting.Count > 0;

}

/// <summary>The teleservice's traits of a recorded call, read for the matcher and against the local identity.</summary>
public static class InsiTraits
{
    /// <summary>The teleservice's traits as the matcher sees them; a birth date with 00 parts is completed as the INS guide says.</summary>
    public static MatchRecord ToRecord(InsiTraitsDto traits, string? ins) => new(
        "insi", traits.BirthName, IdentityMatching.SplitFirstNames(traits.FirstNames), null, null, DateOf(traits.BirthDate),
        traits.Sex is { Length: 1 } sex ? sex[0] : 'U', traits.BirthPlaceCode, ins);

    /// <summary>The strict traits (names as in the API) and the INS that differ while both sides have a value.</summary>
    public static IReadOnlyList<string> Contradicting(Identity identity, InsiTraitsDto traits, string? ins)
    {
        var differing = QualificationService.Differences(identity, traits)
            .Where(d => !string.IsNullOrWhiteSpace(d.Local) && !string.IsNullOrWhiteSpace(d.Insi))
            // 00 parts of an INSi date are completed locally (01, or 31/12): compare the completed dates.
            .Where(d => d.Field != "birthDate" || DateOf(d.Insi) != identity.BirthDate)
            .Select(d => d.Field)
            .ToList();
        if (identity.InsValue is { } local && ins is { Length: > 0 } && local != ins)
        {
            differing.Add("ins");
        }
        return differing;
    }

    private static DateOnly? DateOf(string? text) => BirthDate.Parse(text, DateOnly.MaxValue) is { IsSuccess: true } date ? date.Value.Value : null;

    /// <summary>The compared traits of a recorded call (null when the call returned no individual).</summary>
    public static InsiTraitsDto? Of(InsiCall call) => call.Traits is null ? null : JsonSerializer.Deserialize<InsiTraitsDto>(call.Traits);
}

/// <summary>
/// Where an answer that must not be taken silently goes: the identity vigilance cell's queue. Owned here (qualification
/// raises), implemented by the queue (Duplicates), so that qualification never depends on the queue's screens and rules.
/// None of these saves: the caller's unit of work holds the call, its audit line and the item together.
/// </summary>
public interface IInsiCollisions
{
    /// <summary>Opens an INSi contradiction for the identity, or refreshes its open one with this answer.</summary>
    Task<DuplicateItem> RaiseAsync(Identity identity, InsiCall call, InsiComparison comparison, string source, string by, CancellationToken cancellationToken);

    /// <summary>The teleservice answered, for this identity, the INS another active identity holds: a same-INS pair.</summary>
    Task<DuplicateItem?> RaiseSameInsAsync(Identity identity, string ins, InsiCall call, string source, string by, CancellationToken cancellationToken);

    /// <summary>The open collision raised on this call, if any.</summary>
    Task<DuplicateItem?> OpenCollisionOnAsync(InsiCall call, CancellationToken cancellationToken);

    /// <summary>After the identity took an answer: its contradictions about earlier answers that no longer hold are resolved.</summary>
    Task ResolveSettledAsync(Identity identity, InsiCall accepted, Actor actor, string why, CancellationToken cancellationToken);
}
