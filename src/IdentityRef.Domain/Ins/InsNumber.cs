using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Ins;

/// <summary>The assigning authority of an INS matricule; NIR and NIA are told apart by the OID, never by the digits.</summary>
public enum InsKind
{
    Nir,
    Nia,
    TestNir,
    DemoNir,
}

public static class InsOids
{
    public const string Nir = "1.2.250.1.213.1.4.8";
    public const string Nia = "1.2.250.1.213.1.4.9";
    public const string TestNir = "1.2.250.1.213.1.4.10";
    public const string DemoNir = "1.2.250.1.213.1.4.11";

    public static string Oid(this InsKind kind) => kind switch
    {
        InsKind.Nir => Nir,
        InsKind.Nia => Nia,
        InsKind.TestNir => TestNir,
        InsKind.DemoNir => DemoNir,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static InsKind? KindOf(string? oid) => oid?.Trim() switch
    {
        Nir => InsKind.Nir,
        Nia => InsKind.Nia,
        TestNir => InsKind.TestNir,
        DemoNir => InsKind.DemoNir,
        _ => null,
    };
}

/// <summary>
/// An INS: the 15-character matricule (13 + key) and the OID of its authority. The key is
/// 97 − (N mod 97) on the 13 digits, Corsican départements <c>2A</c>/<c>2B</c> read as 19/18.
/// </summary>
public sealed partial record InsNumber
{
    private InsNumber(string value, InsKind kind)
    {
        Value = value;
        Kind = kind;
    }

    /// <summary>The matricule with its key, 15 characters.</summary>
    public string Value { get; }

    public InsKind Kind { get; }

    public string Oid => Kind.Oid();

    /// <summary>An INS of the test or demonstration authority (…4.10, …4.11): never a real person's.</summary>
    public bool IsForTesting => Kind is InsKind.TestNir or InsKind.DemoNir;

    public string Matricule => Value[..13];

    public string Key => Value[13..];

    public static Result<InsNumber> Parse(string? value, string? oid, string field = "ins")
    {
        var errors = new List<FieldError>();
        var text = value?.Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal) ?? "";
        if (!Shape().IsMatch(text))
        {
            errors.Add(new FieldError($"{field}.value", "invalid-format",
                "An INS has 15 characters: 13 (sex, year, month, birth place, order) and a 2-digit key."));
        }
        else if (ComputeKey(text[..13]) != int.Parse(text[13..], CultureInfo.InvariantCulture))
        {
            errors.Add(new FieldError($"{field}.value", "invalid-key", "The INS key does not match its 13 first characters."));
        }
        var kind = InsOids.KindOf(oid);
        if (kind is null)
        {
            errors.Add(new FieldError($"{field}.oid", "unknown-oid",
                $"The OID must be one of the INS authorities ({InsOids.Nir}, {InsOids.Nia}, {InsOids.TestNir}, {InsOids.DemoNir})."));
        }
        return errors.Count > 0 ? Result<InsNumber>.Failure(errors) : new InsNumber(text, kind!.Value);
    }

    /// <summary>Builds an INS from its 13 characters and key as the teleservice returns them.</summary>
    public static Result<InsNumber> FromParts(string matricule13, string key, string oid, string field = "ins") =>
        Parse(matricule13 + key, oid, field);

    /// <summary>The key of a 13-character matricule.</summary>
    public static int ComputeKey(string matricule13)
    {
        var digits = matricule13.ToUpperInvariant().Replace("2A", "19", StringComparison.Ordinal).Replace("2B", "18", StringComparison.Ordinal);
        var number = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        return 97 - (int)(number % 97);
    }

    public override string ToString() => $"INS({Kind})"; // never the value: ToString ends up in logs

    // sex (1,2,3,4,7,8), year, month, département incl. 2A/2B, commune, order, key
    [GeneratedRegex(@"^[1-8][0-9]{4}([0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
