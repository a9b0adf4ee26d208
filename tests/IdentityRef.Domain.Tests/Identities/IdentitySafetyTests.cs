using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Tests.Support;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Identities;

/// <summary>
/// No path leaves an identity QUAL with traits no document attested, and the new INS never travels before the old one is
/// dealt with (issue 12, domain side; the API side is in the server tests).
/// </summary>
public sealed class IdentitySafetyTests
{
    private static readonly InsNumber OtherNir = IdentityBuilder.Ins("297022A020778" + "78");

    [Fact]
    public void AcceptInsiAnswer_ThatChangesAStrictTrait_VoidsTheDocumentCheck_RecupNotQual()
    {
        var identity = new IdentityBuilder().DocumentChecked().Build(); // VALI on ZOE; the answer says ZOE MARIE

        var warnings = identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.Equal(IdentityStatus.Recup, identity.Status);
        Assert.Null(identity.Document);
        Assert.Null(identity.ShareableIns);
        Assert.Equal("document-check-voided", Assert.Single(warnings).Code);
    }

    [Fact]
    public void AcceptInsiAnswer_WithTheIdentitysOwnTraits_AfterADocumentCheck_IsQual()
    {
        var identity = new IdentityBuilder().WithStrict(IdentityBuilder.AdrunInsTraits).DocumentChecked().Build();

        var warnings = identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.Equal(IdentityStatus.Qual, identity.Status);
        Assert.Empty(warnings);
        Assert.IsType<IdentityUpdated>(Assert.Single(identity.Events));
    }

    [Fact]
    public void AcceptInsiAnswer_NewNirForAQualifiedIdentity_RaisesOnlyTheA47_NoUpdateCarryingTheNewInsBeforeIt()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.AcceptInsiAnswer(OtherNir, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.IsType<InsReplaced>(Assert.Single(identity.Events));
    }

    [Fact]
    public void AcceptInsiAnswer_QualifiedIdentityWhoseTraitsTheAnswerChanges_IsWithdrawnFromReceivers()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();
        var corrected = IdentityBuilder.AdrunInsTraits with { BirthPlaceCode = "63113" };

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], corrected, TestClock.Later(5), TestClock.Later(5));

        Assert.Equal(IdentityStatus.Recup, identity.Status);
        var withdrawn = Assert.IsType<InsWithdrawn>(Assert.Single(identity.Events));
        Assert.False(withdrawn.Deleted); // same INS, kept locally: "qualified → recovered"
    }

    [Fact]
    public void AcceptInsiAnswer_QualifiedIdentity_NewNirAndNewTraits_DeletesTheOldInsAtTheReceivers()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.AcceptInsiAnswer(OtherNir, [], IdentityBuilder.AdrunInsTraits with { BirthPlaceCode = "63113" }, TestClock.Later(5), TestClock.Later(5));

        var withdrawn = Assert.IsType<InsWithdrawn>(Assert.Single(identity.Events));
        Assert.True(withdrawn.Deleted);
        Assert.Equal(IdentityBuilder.AdrunIns.Value, withdrawn.Previous.Value);
    }

    [Theory]
    [InlineData(IdentityAttributes.Douteuse)]
    [InlineData(IdentityAttributes.Fictive)]
    public void RemovingDoubtOrFiction_DoesNotRequalify_TheDocumentMustBeCheckedAgain(IdentityAttributes attribute)
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();
        identity.SetAttributes(attribute, TestClock.Later(5));
        identity.ClearEvents();

        identity.SetAttributes(IdentityAttributes.None, TestClock.Later(6));

        Assert.Equal(IdentityStatus.Recup, identity.Status);
        Assert.Null(identity.ShareableIns);
        identity.CheckDocument(IdentityBuilder.Passport(), IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Later(7));
        Assert.Equal(IdentityStatus.Qual, identity.Status);
    }

    [Fact]
    public void SettingHomonyme_KeepsTheDocumentCheck()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.SetAttributes(IdentityAttributes.Homonyme, TestClock.Later(5));

        Assert.Equal(IdentityStatus.Qual, identity.Status);
    }

    [Fact]
    public void Merge_SurvivorWhoseTraitsTakeTheMergedInsTraits_LosesItsOwnDocumentCheck()
    {
        var survivor = new IdentityBuilder().WithId(Guid.NewGuid()).DocumentChecked().Build(); // VALI on ZOE
        var merged = new IdentityBuilder().WithId(Guid.NewGuid()).Retrieved().Build(); // RECUP on ZOE MARIE

        survivor.TakeInsFrom(merged, TestClock.Later(5));

        Assert.Equal(IdentityBuilder.AdrunInsTraits, survivor.Strict);
        Assert.Equal(IdentityStatus.Recup, survivor.Status);
    }

    [Theory]
    [InlineData(IdentityAttributes.Douteuse)]
    [InlineData(IdentityAttributes.Fictive)]
    public void Merge_OfAQualifiedIdentity_IntoADoubtfulOrFictitiousSurvivor_IsRefused_NothingChanges(IdentityAttributes attribute)
    {
        var survivor = new IdentityBuilder().WithId(Guid.NewGuid()).Build(); // PROV on ZOE
        survivor.SetAttributes(attribute, TestClock.Later(1));
        var merged = new IdentityBuilder().WithId(Guid.NewGuid()).Retrieved().DocumentChecked().Build(); // QUAL on ZOE MARIE
        var (survivorBefore, mergedBefore) = (IdentitySnapshot.Of(survivor), IdentitySnapshot.Of(merged));

        var refused = Assert.Throws<DomainRuleException>(() => IdentityMerge.Merge(survivor, merged, TestClock.Later(5)));

        Assert.Equal("qualified-lost", refused.Rule);
        Assert.Equal(survivorBefore, IdentitySnapshot.Of(survivor));
        Assert.Equal(mergedBefore, IdentitySnapshot.Of(merged));
        // The other way round is a merge: the qualified identity survives.
        IdentityMerge.Merge(merged, survivor, TestClock.Later(6));
        Assert.Equal(IdentityStatus.Qual, merged.Status);
    }

    [Fact]
    public void Merge_DocumentOfTheMergedIdentity_IsTakenOverOnlyForTheTraitsItAttested()
    {
        var survivor = new IdentityBuilder().WithId(Guid.NewGuid()).Build(); // PROV on ZOE
        var merged = new IdentityBuilder().WithId(Guid.NewGuid()).Retrieved().DocumentChecked().Build(); // QUAL on ZOE MARIE

        survivor.TakeInsFrom(merged, TestClock.Later(5));

        Assert.Equal(IdentityStatus.Qual, survivor.Status);
        Assert.Equal(merged.Strict, survivor.Strict);
    }

    [Fact]
    public void MergeUndone_SurvivorThatTookAQualifiedIns_WithdrawsItFromTheReceivers_BeforeItsUpdate()
    {
        var survivor = new IdentityBuilder().WithId(Guid.NewGuid()).WithStrict(IdentityBuilder.AdrunInsTraits).Build(); // PROV, no INS
        var merged = new IdentityBuilder().WithId(Guid.NewGuid()).Retrieved().DocumentChecked().Build(); // QUAL
        var core = survivor.Core;
        survivor.TakeInsFrom(merged, TestClock.Later(5));
        Assert.Equal(IdentityStatus.Qual, survivor.Status);
        survivor.ClearEvents();

        survivor.RestoreCore(core, TestClock.Later(10));

        Assert.Null(survivor.InsValue);
        Assert.Equal(IdentityStatus.Prov, survivor.Status);
        // The receivers hold the INS on the survivor since the merge: an A47 deletes it there (not this identity's INS), then the A31.
        Assert.Collection(survivor.Events,
            e => Assert.Equal(new InsWithdrawn(survivor.Id, new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir), Deleted: true), e),
            e => Assert.IsType<IdentityUpdated>(e));
    }

    [Fact]
    public void MergeUndone_SurvivorThatDeclaredTheSameIns_KeepsItHere_ButTheReceiversAreToldToStopUsingIt()
    {
        var survivor = new IdentityBuilder().WithId(Guid.NewGuid()).WithStrict(IdentityBuilder.AdrunInsTraits).WithDeclaredIns(IdentityBuilder.AdrunIns).Build();
        var merged = new IdentityBuilder().WithId(Guid.NewGuid()).Retrieved().DocumentChecked().Build();
        var core = survivor.Core;
        survivor.TakeInsFrom(merged, TestClock.Later(5));
        survivor.ClearEvents();

        survivor.RestoreCore(core, TestClock.Later(10));

        Assert.Equal(IdentityBuilder.AdrunIns.Value, survivor.InsValue);
        Assert.NotEqual(IdentityStatus.Qual, survivor.Status);
        Assert.Equal(new InsWithdrawn(survivor.Id, new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir), Deleted: false), survivor.Events[0]);
    }

    [Fact]
    public void MergeUndone_SurvivorThatWasNotQualified_SendsNoWithdrawal()
    {
        var survivor = new IdentityBuilder().WithId(Guid.NewGuid()).Build();
        var merged = new IdentityBuilder().WithId(Guid.NewGuid()).Retrieved().Build(); // RECUP: its INS never went out
        var core = survivor.Core;
        survivor.TakeInsFrom(merged, TestClock.Later(5));
        survivor.ClearEvents();

        survivor.RestoreCore(core, TestClock.Later(10));

        Assert.IsType<IdentityUpdated>(Assert.Single(survivor.Events));
    }
}
