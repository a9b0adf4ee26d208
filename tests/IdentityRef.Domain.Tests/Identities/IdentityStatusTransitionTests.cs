using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Tests.Support;

namespace IdentityRef.Domain.Tests.Identities;

/// <summary>
/// Every (start path, attribute set, action) combination against an expectation table written by hand from
/// the RNIV rules (shared doc §3), independent of <see cref="IdentityStatusCodes.Derive"/>.
/// </summary>
public sealed class IdentityStatusTransitionTests
{
    /// <summary>How the start identity was brought to its state: nothing, INSi answer, document check, or both.</summary>
    public enum StartPath
    {
        Prov,
        Recup,
        Vali,
        Qual,
    }

    public enum StatusAction
    {
        AcceptInsiAnswer,
        CheckDocument,
        WithdrawInsDocumentInvalid,
        WithdrawInsWronglyAttributed,
        SetDouteuse,
        SetFictive,
        SetDouteuseAndFictive,
        SetHomonyme,
        UpdateStrictTraits,
        UpdateComplementaryOnly,
    }

    private const IdentityAttributes Douteuse = IdentityAttributes.Douteuse;
    private const IdentityAttributes Fictive = IdentityAttributes.Fictive;
    private const IdentityAttributes Homonyme = IdentityAttributes.Homonyme;

    private static readonly IdentityAttributes[] AttributeSets =
        [IdentityAttributes.None, Douteuse, Fictive, Homonyme, Douteuse | Homonyme, Fictive | Homonyme];

    // Outcome after the action: the resulting status, or "!" and the rule of the DomainRuleException.
    // Columns: start path PROV, RECUP, VALI, QUAL.

    /// <summary>Start attributes none or homonyme: the status follows the two axes.</summary>
    private static readonly string[] CleanStartTable =
    [
        // The answer corrects the first names (ZOE → ZOE MARIE): the passport of the VALI path attested the old ones, so
        // the check is voided (RECUP, QUAL after a new check). VALI → QUAL with identical traits: IdentityTests.
        "AcceptInsiAnswer             | RECUP        | RECUP               | RECUP        | QUAL",
        "CheckDocument                | VALI         | QUAL                | VALI         | QUAL",
        "WithdrawInsDocumentInvalid   | !no-ins      | !no-document        | !no-ins      | RECUP",
        "WithdrawInsWronglyAttributed | !no-ins      | PROV                | !no-ins      | VALI",
        "SetDouteuse                  | PROV         | PROV                | PROV         | PROV",
        "SetFictive                   | PROV         | PROV                | PROV         | PROV",
        "SetDouteuseAndFictive        | !RNIV douteuse/fictive | !RNIV douteuse/fictive | !RNIV douteuse/fictive | !RNIV douteuse/fictive",
        "SetHomonyme                  | PROV         | RECUP               | VALI         | QUAL",
        "UpdateStrictTraits           | PROV         | !ins-traits-locked  | PROV         | !ins-traits-locked",
        "UpdateComplementaryOnly      | PROV         | RECUP               | VALI         | QUAL",
    ];

    /// <summary>
    /// Start attributes with douteuse or fictive (set after the path): the status is PROV whatever the axes, no
    /// INSi call and no document check; removing the attribute (SetHomonyme replaces the set) restores the INSi axis only:
    /// the document must be checked again.
    /// </summary>
    private static readonly string[] DoubtfulStartTable =
    [
        "AcceptInsiAnswer             | !RNIV EXI SI 09 | !RNIV EXI SI 09  | !RNIV EXI SI 09 | !RNIV EXI SI 09",
        "CheckDocument                | !RNIV EXI SI 09 | !RNIV EXI SI 09  | !RNIV EXI SI 09 | !RNIV EXI SI 09",
        "WithdrawInsDocumentInvalid   | !no-ins      | !no-document        | !no-ins      | PROV",
        "WithdrawInsWronglyAttributed | !no-ins      | PROV                | !no-ins      | PROV",
        "SetDouteuse                  | PROV         | PROV                | PROV         | PROV",
        "SetFictive                   | PROV         | PROV                | PROV         | PROV",
        "SetDouteuseAndFictive        | !RNIV douteuse/fictive | !RNIV douteuse/fictive | !RNIV douteuse/fictive | !RNIV douteuse/fictive",
        // Lifting the doubt does not re-prove the identity: the document checked before is voided (EXI SI 09).
        "SetHomonyme                  | PROV         | RECUP               | PROV         | RECUP",
        "UpdateStrictTraits           | PROV         | !ins-traits-locked  | PROV         | !ins-traits-locked",
        "UpdateComplementaryOnly      | PROV         | PROV                | PROV         | PROV",
    ];

    /// <summary>The status right after the path, before any action: douteuse and fictive force PROV.</summary>
    private static readonly Dictionary<(StartPath, bool Doubtful), IdentityStatus> StartStatus = new()
    {
        [(StartPath.Prov, false)] = IdentityStatus.Prov,
        [(StartPath.Recup, false)] = IdentityStatus.Recup,
        [(StartPath.Vali, false)] = IdentityStatus.Vali,
        [(StartPath.Qual, false)] = IdentityStatus.Qual,
        [(StartPath.Prov, true)] = IdentityStatus.Prov,
        [(StartPath.Recup, true)] = IdentityStatus.Prov,
        [(StartPath.Vali, true)] = IdentityStatus.Prov,
        [(StartPath.Qual, true)] = IdentityStatus.Prov,
    };

    public static TheoryData<StartPath, IdentityAttributes, StatusAction> AllCombinations()
    {
        var data = new TheoryData<StartPath, IdentityAttributes, StatusAction>();
        foreach (var path in Enum.GetValues<StartPath>())
        {
            foreach (var attributes in AttributeSets)
            {
                foreach (var action in Enum.GetValues<StatusAction>())
                {
                    data.Add(path, attributes, action);
                }
            }
        }
        return data;
    }

    [Fact]
    public void Tables_CoverEveryActionAndPath()
    {
        Assert.Equal(240, AllCombinations().Count());
        foreach (var table in new[] { CleanStartTable, DoubtfulStartTable })
        {
            var parsed = Parse(table);
            Assert.Equal(Enum.GetValues<StatusAction>().Length * Enum.GetValues<StartPath>().Length, parsed.Count);
        }
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Action_FromEveryStatusAndAttributeSet_GivesTheTabulatedOutcome(StartPath path, IdentityAttributes attributes, StatusAction action)
    {
        var doubtful = (attributes & (Douteuse | Fictive)) != 0;
        var identity = Start(path, attributes);
        Assert.Equal(StartStatus[(path, doubtful)], identity.Status);
        var expected = Parse(doubtful ? DoubtfulStartTable : CleanStartTable)[(action, path)];
        var before = (identity.Status, identity.Attributes, identity.Version);

        var thrown = Record.Exception(() => Apply(identity, action));

        if (expected.StartsWith('!'))
        {
            var rule = Assert.IsType<DomainRuleException>(thrown);
            Assert.Equal(expected[1..], rule.Rule);
            Assert.Equal(before, (identity.Status, identity.Attributes, identity.Version)); // a refused action changes nothing
            Assert.Empty(identity.Events);
        }
        else
        {
            Assert.Null(thrown);
            Assert.Equal(Enum.Parse<IdentityStatus>(expected, ignoreCase: true), identity.Status);
            Assert.Equal(ExpectedAttributes(action, attributes), identity.Attributes);
            AssertInvariants(identity);
            // Receivers must hear that a shared INS may no longer be used; any other change is a plain update.
            var leftQualified = before.Status == IdentityStatus.Qual && identity.Status != IdentityStatus.Qual;
            Assert.IsType(leftQualified ? typeof(InsWithdrawn) : typeof(IdentityUpdated), Assert.Single(identity.Events));
        }
    }

    private static IdentityAttributes ExpectedAttributes(StatusAction action, IdentityAttributes start) => action switch
    {
        StatusAction.SetDouteuse => Douteuse,
        StatusAction.SetFictive => Fictive,
        StatusAction.SetHomonyme => Homonyme,
        _ => start,
    };

    /// <summary>What must hold after any successful change, whatever the path.</summary>
    private static void AssertInvariants(Identity identity)
    {
        if ((identity.Attributes & (Douteuse | Fictive)) != 0)
        {
            Assert.Equal(IdentityStatus.Prov, identity.Status);
        }
        Assert.Equal(identity.Status == IdentityStatus.Qual, identity.ShareableIns is not null);
        if (identity.Status is IdentityStatus.Recup or IdentityStatus.Qual)
        {
            Assert.Equal(InsSource.Insi, identity.InsSource);
            Assert.False(identity.BirthDateCorrected);
        }
        if (identity.Status is IdentityStatus.Vali or IdentityStatus.Qual)
        {
            Assert.NotNull(identity.Document);
        }
    }

    private static Identity Start(StartPath path, IdentityAttributes attributes)
    {
        var builder = new IdentityBuilder().WithAttributes(attributes);
        if (path is StartPath.Recup or StartPath.Qual)
        {
            builder.Retrieved();
        }
        if (path is StartPath.Vali or StartPath.Qual)
        {
            builder.DocumentChecked();
        }
        return builder.Build();
    }

    private static void Apply(Identity identity, StatusAction action)
    {
        var now = TestClock.Later(10);
        switch (action)
        {
            case StatusAction.AcceptInsiAnswer:
                identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, now, now);
                break;
            case StatusAction.CheckDocument:
                identity.CheckDocument(IdentityBuilder.Passport(), IdentityBuilder.HighTrustTypes, TestClock.Today, now);
                break;
            case StatusAction.WithdrawInsDocumentInvalid:
                identity.WithdrawIns(InsWithdrawal.DocumentInvalid, now);
                break;
            case StatusAction.WithdrawInsWronglyAttributed:
                identity.WithdrawIns(InsWithdrawal.WronglyAttributed, now);
                break;
            case StatusAction.SetDouteuse:
                identity.SetAttributes(Douteuse, now);
                break;
            case StatusAction.SetFictive:
                identity.SetAttributes(Fictive, now);
                break;
            case StatusAction.SetDouteuseAndFictive:
                identity.SetAttributes(Douteuse | Fictive, now);
                break;
            case StatusAction.SetHomonyme:
                identity.SetAttributes(Homonyme, now);
                break;
            case StatusAction.UpdateStrictTraits:
                identity.Update(identity.Strict with { BirthName = "ADRUN-DURAND" }, identity.Complementary, null, now);
                break;
            case StatusAction.UpdateComplementaryOnly:
                identity.Update(identity.Strict, identity.Complementary with { UsedName = "DURAND", Phone = "0473000000" }, null, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action));
        }
    }

    private static Dictionary<(StatusAction, StartPath), string> Parse(string[] table)
    {
        var outcomes = new Dictionary<(StatusAction, StartPath), string>();
        foreach (var row in table)
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var action = Enum.Parse<StatusAction>(cells[0]);
            var paths = Enum.GetValues<StartPath>();
            Assert.Equal(paths.Length + 1, cells.Length);
            for (var i = 0; i < paths.Length; i++)
            {
                outcomes.Add((action, paths[i]), cells[i + 1]);
            }
        }
        return outcomes;
    }
}
