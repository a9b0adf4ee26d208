using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Support;

/// <summary>
/// Builds test identities from the public test identities of the INSi qualification platform (shared doc §2),
/// and brings them to a status through the real domain methods (never by setting the status).
/// </summary>
internal sealed class IdentityBuilder
{
    public static readonly string[] HighTrustTypes = ["PASSPORT", "ID-CARD", "RESIDENCE-PERMIT"];

    private StrictTraits _strict = new("ADRUN", "ZOE", "ZOE", new BirthDate(new DateOnly(1975, 12, 31), false), Sex.Female, "63220");
    private ComplementaryTraits _complementary = new("MARTIN", "ZOZO", "1 rue de la Paix", "63000", "CLERMONT-FERRAND", null, null);
    private InsNumber? _declaredIns;
    private bool _retrieved;
    private bool _documentChecked;
    private IdentityAttributes _attributes;
    private Guid _id = new("00000000-0000-0000-0000-000000000001");

    /// <summary>The INS the teleservice answers for ADRUN ZOE (key 74).</summary>
    public static InsNumber AdrunIns => Ins("275126322074974");

    /// <summary>The traits of the INSi answer for ADRUN ZOE (the INS traits), slightly different from what was typed.</summary>
    public static StrictTraits AdrunInsTraits { get; } =
        new("ADRUN", "ZOE MARIE", "ZOE", new BirthDate(new DateOnly(1975, 12, 31), false), Sex.Female, "63220");

    public static InsNumber Ins(string value15, string oid = InsOids.Nir) => InsNumber.Parse(value15, oid).Value;

    public static DocumentCheck Passport(DateOnly? expires = null) =>
        new("PASSPORT", "12AB34567", expires ?? TestClock.Today.AddYears(5), "agent-007", TestClock.Now);

    public IdentityBuilder WithId(Guid id)
    {
        _id = id;
        return this;
    }

    public IdentityBuilder WithStrict(StrictTraits strict)
    {
        _strict = strict;
        return this;
    }

    public IdentityBuilder WithBirthDate(BirthDate birthDate)
    {
        _strict = _strict with { BirthDate = birthDate };
        return this;
    }

    public IdentityBuilder WithSex(Sex sex)
    {
        _strict = _strict with { Sex = sex };
        return this;
    }

    public IdentityBuilder WithComplementary(ComplementaryTraits complementary)
    {
        _complementary = complementary;
        return this;
    }

    public IdentityBuilder WithDeclaredIns(InsNumber ins)
    {
        _declaredIns = ins;
        return this;
    }

    /// <summary>Accepts the INSi answer for ADRUN ZOE after creation.</summary>
    public IdentityBuilder Retrieved()
    {
        _retrieved = true;
        return this;
    }

    /// <summary>Records a passport check after creation.</summary>
    public IdentityBuilder DocumentChecked()
    {
        _documentChecked = true;
        return this;
    }

    /// <summary>Sets the attributes last, since douteuse and fictive forbid the INSi call and the document check.</summary>
    public IdentityBuilder WithAttributes(IdentityAttributes attributes)
    {
        _attributes = attributes;
        return this;
    }

    /// <summary>Builds the identity and clears its events, so that a test sees only what its action raised.</summary>
    public Identity Build(bool keepEvents = false)
    {
        var identity = Identity.Create(_id, "IPP0001", _strict, _complementary, _declaredIns, TestClock.Now);
        if (_retrieved)
        {
            identity.AcceptInsiAnswer(AdrunIns, [], AdrunInsTraits, TestClock.Later(1), TestClock.Later(1));
        }
        if (_documentChecked)
        {
            identity.CheckDocument(Passport(), HighTrustTypes, TestClock.Today, TestClock.Later(2));
        }
        if (_attributes != IdentityAttributes.None)
        {
            identity.SetAttributes(_attributes, TestClock.Later(3));
        }
        if (!keepEvents)
        {
            identity.ClearEvents();
        }
        return identity;
    }
}
