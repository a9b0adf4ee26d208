using System.Text.Json;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;

namespace IdentityRef.Application.TraitMatching;

/// <summary>The bridge between identities and the matcher: records, blocking-key hashes, ordered pairs, stored explanations.</summary>
public static class IdentityMatching
{
    /// <summary>The identity as the matcher sees it; <see cref="MatchRecord.Id"/> is the identity's GUID.</summary>
    public static MatchRecord ToRecord(Identity i) => MatchRow.Of(i).ToRecord();

    /// <summary>A person not created yet (admission): the probe of check-before-create.</summary>
    public static MatchRecord ToRecord(ValidatedTraits traits, string id = "probe") => new(
        id, traits.Strict.BirthName, SplitFirstNames(traits.Strict.FirstNames), traits.Complementary.UsedName, traits.Complementary.UsedFirstName,
        traits.Strict.BirthDate.Value, (char)traits.Strict.Sex, traits.Strict.BirthPlaceCode, traits.DeclaredIns?.Value,
        traits.Complementary.Postcode, traits.Complementary.City, traits.Complementary.Address);

    public static IReadOnlyList<string> SplitFirstNames(string firstNames) =>
        firstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The stored form of a blocking key: FNV-1a 64 of its text (a collision only adds a candidate, never loses one).</summary>
    public static long KeyHash(string key) => unchecked((long)Blocking.Hash(key));

    /// <summary>The stored keys of a record. Keys depend on the traits only, never on the weights.</summary>
    public static HashSet<long> KeyHashes(MatchRecord record) => Blocking.Keys(record).Select(KeyHash).ToHashSet();

    /// <summary>A pair in its stored order (by the GUID's text, the same on every provider).</summary>
    public static (Guid A, Guid B) Ordered(Guid x, Guid y) =>
        string.CompareOrdinal(x.ToString(), y.ToString()) <= 0 ? (x, y) : (y, x);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The explanation of a pair oriented as (<paramref name="a"/>, other). INS values are shown only for a qualified
    /// identity (RNIV EXI SI 08): the value of a side that is not QUAL is masked.
    /// </summary>
    public static PairExplanation Explain(MatchResult result, string a, bool showInsA, bool showInsB)
    {
        var flip = result.IdA != a;
        return new PairExplanation(
            Math.Round(result.Score, 3),
            ClassName(result.Class),
            result.NamesSwapped,
            result.Reasons,
            result.Traits.Select(t =>
            {
                var (va, vb) = flip ? (t.ValueB, t.ValueA) : (t.ValueA, t.ValueB);
                if (t.Trait == Trait.Ins)
                {
                    va = showInsA ? va : Mask(va);
                    vb = showInsB ? vb : Mask(vb);
                }
                return new TraitExplanation(JsonNamingPolicy.CamelCase.ConvertName(t.Trait.ToString()), t.Level, t.LevelName, Math.Round(t.Weight, 3), va, vb, Math.Round(t.FrequencyAdjustment, 3));
            }).ToList());
    }

    public static string ClassName(MatchClass matchClass) => matchClass switch
    {
        MatchClass.Probable => "probable",
        MatchClass.Possible => "possible",
        _ => "distinct",
    };

    public static string ToJson(PairExplanation explanation) => JsonSerializer.Serialize(explanation, Json);

    public static PairExplanation? FromJson(string json) => JsonSerializer.Deserialize<PairExplanation>(json, Json);

    /// <summary>A stored explanation as shown now: INS values only for an identity that is QUAL today.</summary>
    public static PairExplanation Masked(PairExplanation explanation, bool showInsA, bool showInsB) => explanation with
    {
        Traits = explanation.Traits.Select(t => t.Trait == "ins"
            ? t with { ValueA = showInsA ? t.ValueA : Mask(t.ValueA), ValueB = showInsB ? t.ValueB : Mask(t.ValueB) }
            : t).ToList(),
    };

    private static string? Mask(string? value) => string.IsNullOrEmpty(value) ? value : "(masqué)";
}

/// <summary>
/// One trait of a compared pair: the agreement level, its weight log2(m/u) and the two values; <see cref="FrequencyAdjustment"/>
/// is the part of the weight due to how common the agreeing name is in the base (negative for MARTIN, positive for a rare name).
/// </summary>
public sealed record TraitExplanation(string Trait, int Level, string LevelName, double Weight, string? ValueA, string? ValueB, double FrequencyAdjustment = 0);

/// <summary>Why two identities look alike: score, class, the rules that held the class down, and every trait.</summary>
public sealed record PairExplanation(double Score, string Class, bool NamesSwapped, IReadOnlyList<string> Reasons, IReadOnlyList<TraitExplanation> Traits);
