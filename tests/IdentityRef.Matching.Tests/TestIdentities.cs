using IdentityRef.Matching;

namespace IdentityRef.Matching.Tests;

/// <summary>Builders for crafted test identities (invented people).</summary>
internal static class TestIdentities
{
    public static MatchRecord Person(string id = "A") => new(
        id,
        "MARTIN-DUBOIS",
        ["CLAIRE", "ANNE", "SOPHIE"],
        UsedName: "LEROY",
        UsedFirstName: null,
        BirthDate: new DateOnly(1984, 3, 7),
        Sex: 'F',
        BirthPlaceCode: "69123",
        Ins: null,
        Postcode: "69003",
        City: "LYON",
        Address: "12 RUE DES LILAS");

    public static MatchRecord Man(string id = "M") => new(
        id,
        "DUPONT",
        ["PHILIPPE", "JEAN"],
        BirthDate: new DateOnly(1962, 11, 4),
        Sex: 'M',
        BirthPlaceCode: "75112",
        Postcode: "75011",
        City: "PARIS",
        Address: "4 AVENUE PARMENTIER");

    /// <summary>An engine with the default options and hand-set weights (no training needed).</summary>
    public static MatchEngine Engine(MatchingOptions? options = null) => new(options ?? new MatchingOptions());
}
