using IdentityRef.Domain.Common;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Tests.Support;
using IdentityRef.Domain.Traits;

namespace IdentityRef.Domain.Tests.Identities;

public sealed class IdentityTests
{
    private static readonly BirthDate CorrectedDate = new(new DateOnly(1975, 12, 31), Corrected: true);

    /// <summary>A second valid INS-NIR (key 56) and a valid NIA, for replacement scenarios.</summary>
    private static readonly InsNumber OtherNir = IdentityBuilder.Ins("236066322083656");

    private static readonly InsNumber Nia = IdentityBuilder.Ins("110086322083060", InsOids.Nia);

    [Fact]
    public void Create_WithoutInsNorDocument_IsProvisionalAndRaisesCreated()
    {
        var identity = new IdentityBuilder().Build(keepEvents: true);

        Assert.Equal(IdentityStatus.Prov, identity.Status);
        Assert.IsType<IdentityCreated>(Assert.Single(identity.Events));
        Assert.Equal(TestClock.Now, identity.CreatedAt);
        Assert.Equal("SM", identity.ObtainingMode);
    }

    [Fact]
    public void Create_WithDeclaredIns_StaysProvisionalAndDoesNotShareIt()
    {
        var identity = new IdentityBuilder().WithDeclaredIns(IdentityBuilder.AdrunIns).Build();

        Assert.Equal(IdentityStatus.Prov, identity.Status);
        Assert.Equal(InsSource.Declared, identity.InsSource);
        Assert.Equal(IdentityBuilder.AdrunIns, identity.Ins);
        Assert.Null(identity.ShareableIns);
    }

    [Fact]
    public void DeclaredInsAndDocument_IsValidatedNotQualified()
    {
        var identity = new IdentityBuilder().WithDeclaredIns(IdentityBuilder.AdrunIns).DocumentChecked().Build();

        Assert.Equal(IdentityStatus.Vali, identity.Status);
        Assert.Null(identity.ShareableIns);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void ShareableIns_OnlyForAQualifiedIdentity(bool retrieved, bool documentChecked, bool shared)
    {
        var builder = new IdentityBuilder().WithDeclaredIns(IdentityBuilder.AdrunIns);
        if (retrieved)
        {
            builder.Retrieved();
        }
        if (documentChecked)
        {
            builder.DocumentChecked();
        }

        var identity = builder.Build();

        Assert.NotNull(identity.Ins);
        Assert.Equal(shared ? IdentityBuilder.AdrunIns : null, identity.ShareableIns);
    }

    [Fact]
    public void CorrectedBirthDate_InsiAnswerAccepted_DoesNotMakeItRecovered()
    {
        var identity = new IdentityBuilder().WithBirthDate(CorrectedDate).Build();

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits with { BirthDate = CorrectedDate }, TestClock.Now, TestClock.Now);

        Assert.Equal(IdentityStatus.Prov, identity.Status);
        Assert.Null(identity.ShareableIns);
    }

    [Fact]
    public void CorrectedBirthDate_InsiAnswerAndDocument_IsValidatedNeverQualified()
    {
        var identity = new IdentityBuilder().WithBirthDate(CorrectedDate).Build();

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits with { BirthDate = CorrectedDate }, TestClock.Now, TestClock.Now);
        identity.CheckDocument(IdentityBuilder.Passport(), IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Now);

        Assert.Equal(IdentityStatus.Vali, identity.Status);
        Assert.Null(identity.ShareableIns);
    }

    [Theory]
    [InlineData(IdentityAttributes.Douteuse)]
    [InlineData(IdentityAttributes.Fictive)]
    [InlineData(IdentityAttributes.Douteuse | IdentityAttributes.Homonyme)]
    [InlineData(IdentityAttributes.Fictive | IdentityAttributes.Homonyme)]
    public void EnsureInsiCallAllowed_DoubtfulOrFictitious_ThrowsExiSi09(IdentityAttributes attributes)
    {
        var identity = new IdentityBuilder().WithAttributes(attributes).Build();

        var error = Assert.Throws<DomainRuleException>(() => identity.EnsureInsiCallAllowed());

        Assert.Equal("RNIV EXI SI 09", error.Rule);
    }

    [Theory]
    [InlineData(IdentityAttributes.Douteuse)]
    [InlineData(IdentityAttributes.Fictive)]
    public void DoubtfulOrFictitious_CannotLeaveProvisional(IdentityAttributes attributes)
    {
        var identity = new IdentityBuilder().WithAttributes(attributes).Build();

        Assert.Throws<DomainRuleException>(() => identity.CheckDocument(IdentityBuilder.Passport(), IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Now));
        Assert.Throws<DomainRuleException>(() => identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, TestClock.Now, TestClock.Now));
        Assert.Equal(IdentityStatus.Prov, identity.Status);
    }

    [Fact]
    public void EnsureInsiCallAllowed_SexUnknown_IsRefusedBeforeTheTeleserviceFails()
    {
        var identity = new IdentityBuilder().WithSex(Sex.Unknown).Build();

        Assert.Equal("INSi sex", Assert.Throws<DomainRuleException>(() => identity.EnsureInsiCallAllowed()).Rule);
    }

    [Fact]
    public void EnsureInsiCallAllowed_ProvisionalWithoutDocument_WarnsRecoPp03()
    {
        var warning = Assert.Single(new IdentityBuilder().Build().EnsureInsiCallAllowed());

        Assert.Equal("RECO PP 03", warning.Code);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void EnsureInsiCallAllowed_NotProvisional_GivesNoWarning(bool retrieved, bool documentChecked)
    {
        var builder = new IdentityBuilder();
        if (retrieved)
        {
            builder.Retrieved();
        }
        if (documentChecked)
        {
            builder.DocumentChecked();
        }

        Assert.Empty(builder.Build().EnsureInsiCallAllowed());
    }

    [Fact]
    public void AcceptInsiAnswer_InsTraitsReplaceTheStrictTraitsExactly_UsedNamesStay()
    {
        var typed = new StrictTraits("ADRUM", "ZOE", "ZOE", new BirthDate(new DateOnly(1975, 12, 30), false), Sex.Female, null);
        var identity = new IdentityBuilder().WithStrict(typed).Build();
        var complementary = identity.Complementary;

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(1), TestClock.Later(2));

        Assert.Equal(IdentityBuilder.AdrunInsTraits, identity.Strict);
        Assert.Equal(complementary, identity.Complementary);
        Assert.Equal(("MARTIN", "ZOZO"), (identity.UsedName, identity.UsedFirstName));
        Assert.Equal(IdentityBuilder.AdrunIns, identity.Ins);
        Assert.Equal(InsSource.Insi, identity.InsSource);
        Assert.Equal("INSI", identity.ObtainingMode);
        Assert.Equal(TestClock.Later(1), identity.InsiCheckedAt);
        Assert.Equal(TestClock.Later(2), identity.StrictTraitsChangedAt);
        Assert.Equal(IdentityStatus.Recup, identity.Status);
    }

    [Fact]
    public void AcceptInsiAnswer_FormerMatricules_AreKeptOnceAndNeverTheActiveOne()
    {
        var identity = new IdentityBuilder().Build();
        var former = new InsHistoryEntry("110086322083060", InsOids.Nia);
        var active = new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir);

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [former, active], IdentityBuilder.AdrunInsTraits, TestClock.Now, TestClock.Now);
        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [former], IdentityBuilder.AdrunInsTraits, TestClock.Later(1), TestClock.Later(1));

        Assert.Equal([former], identity.InsHistory);
    }

    [Fact]
    public void AcceptInsiAnswer_NewMatricule_KeepsThePreviousOneInTheHistory()
    {
        var identity = new IdentityBuilder().Retrieved().Build();

        identity.AcceptInsiAnswer(OtherNir, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.Equal(OtherNir, identity.Ins);
        Assert.Equal([new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir)], identity.InsHistory);
    }

    [Fact]
    public void AcceptInsiAnswer_QualifiedNirReplacedByAnotherNir_RaisesInsReplaced()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.AcceptInsiAnswer(OtherNir, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        var replaced = Assert.Single(identity.Events.OfType<InsReplaced>());
        Assert.Equal(new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir), replaced.Previous);
        Assert.Equal(identity.Id, replaced.IdentityId);
        Assert.Equal(IdentityStatus.Qual, identity.Status);
    }

    [Fact]
    public void AcceptInsiAnswer_QualifiedNiaReplacedByANir_IsAnUpdateNotAReplacement()
    {
        var identity = new IdentityBuilder().Build();
        identity.AcceptInsiAnswer(Nia, [], IdentityBuilder.AdrunInsTraits, TestClock.Now, TestClock.Now);
        identity.CheckDocument(IdentityBuilder.Passport(), IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Now);
        identity.ClearEvents();

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.IsType<IdentityUpdated>(Assert.Single(identity.Events));
    }

    [Fact]
    public void AcceptInsiAnswer_NiaForAnIdentityHoldingANirFromInsi_IsRefused_NothingChanges()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build(); // QUAL with a NIR
        identity.ClearEvents();
        var version = identity.Version;

        var refused = Assert.Throws<DomainRuleException>(() =>
            identity.AcceptInsiAnswer(Nia, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5)));

        Assert.Equal("insi-nir-to-nia", refused.Rule);
        Assert.Equal(IdentityBuilder.AdrunIns.Value, identity.InsValue);
        Assert.Equal(IdentityStatus.Qual, identity.Status);
        Assert.Equal(version, identity.Version);
        Assert.Empty(identity.Events);
    }

    [Fact]
    public void AcceptInsiAnswer_RecoveredNirReplaced_RaisesNoReplacementSinceItWasNeverShared()
    {
        var identity = new IdentityBuilder().Retrieved().Build();

        identity.AcceptInsiAnswer(OtherNir, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.Empty(identity.Events.OfType<InsReplaced>());
    }

    [Fact]
    public void AcceptInsiAnswer_SameInsConfirmedAgain_RaisesNoReplacement()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.AcceptInsiAnswer(IdentityBuilder.AdrunIns, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));

        Assert.Empty(identity.Events.OfType<InsReplaced>());
    }

    [Theory]
    [InlineData(InsWithdrawal.DocumentInvalid, false, IdentityStatus.Recup)]
    [InlineData(InsWithdrawal.WronglyAttributed, true, IdentityStatus.Vali)]
    public void WithdrawIns_OfAQualifiedIdentity_RaisesInsWithdrawnWithThePreviousIns(InsWithdrawal reason, bool deleted, IdentityStatus status)
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.WithdrawIns(reason, TestClock.Later(5));

        var withdrawn = Assert.IsType<InsWithdrawn>(Assert.Single(identity.Events));
        Assert.Equal(new InsWithdrawn(identity.Id, new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir), deleted), withdrawn);
        Assert.Equal(status, identity.Status);
        Assert.Null(identity.ShareableIns);
    }

    [Theory]
    [InlineData(IdentityAttributes.Douteuse)]
    [InlineData(IdentityAttributes.Fictive)]
    public void SetAttributes_DoubtfulOnAQualifiedIdentity_WithdrawsTheSharedInsButKeepsItLocally(IdentityAttributes attributes)
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.SetAttributes(attributes, TestClock.Later(5));

        var withdrawn = Assert.Single(identity.Events.OfType<InsWithdrawn>());
        Assert.Equal(new InsWithdrawn(identity.Id, new InsHistoryEntry(IdentityBuilder.AdrunIns.Value, InsOids.Nir), Deleted: false), withdrawn);
        Assert.Equal(IdentityBuilder.AdrunIns, identity.Ins);
        Assert.Null(identity.ShareableIns);
    }

    [Fact]
    public void SetAttributes_HomonymeOnAQualifiedIdentity_IsAPlainUpdate()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.SetAttributes(IdentityAttributes.Homonyme, TestClock.Later(5));

        Assert.IsType<IdentityUpdated>(Assert.Single(identity.Events));
        Assert.Equal(IdentityStatus.Qual, identity.Status);
    }

    [Fact]
    public void Events_ToString_NeverRevealTheMatricule()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();
        identity.AcceptInsiAnswer(OtherNir, [], IdentityBuilder.AdrunInsTraits, TestClock.Later(5), TestClock.Later(5));
        identity.WithdrawIns(InsWithdrawal.WronglyAttributed, TestClock.Later(6));

        var texts = identity.Events.Select(e => e.ToString()).ToList();

        Assert.Equal(2, texts.Count(t => t.Contains("Previous", StringComparison.Ordinal)));
        Assert.All(texts, t => Assert.DoesNotContain("2751263", t, StringComparison.Ordinal));
        Assert.All(texts, t => Assert.DoesNotContain("2360663", t, StringComparison.Ordinal));
    }

    [Fact]
    public void WithdrawIns_DocumentInvalid_KeepsTheInsLocally()
    {
        var identity = new IdentityBuilder().Retrieved().DocumentChecked().Build();

        identity.WithdrawIns(InsWithdrawal.DocumentInvalid, TestClock.Later(5));

        Assert.Equal(IdentityBuilder.AdrunIns, identity.Ins);
        Assert.Null(identity.Document);
    }

    [Fact]
    public void WithdrawIns_WronglyAttributed_DeletesTheIns()
    {
        var identity = new IdentityBuilder().Retrieved().Build();

        identity.WithdrawIns(InsWithdrawal.WronglyAttributed, TestClock.Later(5));

        Assert.Null(identity.Ins);
        Assert.Null(identity.InsiCheckedAt);
        Assert.IsType<IdentityUpdated>(Assert.Single(identity.Events)); // never shared: no withdrawal to broadcast
    }

    [Fact]
    public void Update_ComplementaryTraits_RaisesUpdatedOnceAndBumpsTheVersion()
    {
        var identity = new IdentityBuilder().Build();
        var version = identity.Version;

        identity.Update(identity.Strict, identity.Complementary with { Phone = "0473000000" }, null, TestClock.Later(1));
        identity.Update(identity.Strict, identity.Complementary with { Phone = "0473000001" }, null, TestClock.Later(2));

        Assert.IsType<IdentityUpdated>(Assert.Single(identity.Events));
        Assert.Equal(version + 2, identity.Version);
        Assert.Equal(TestClock.Later(2), identity.UpdatedAt);
        Assert.Equal(TestClock.Now, identity.StrictTraitsChangedAt);
    }

    [Fact]
    public void Update_StrictTraitsOfAValidatedIdentity_VoidsTheDocumentCheckWithAWarning()
    {
        var identity = new IdentityBuilder().DocumentChecked().Build();

        var warnings = identity.Update(identity.Strict with { BirthName = "ADRUN-DURAND" }, identity.Complementary, null, TestClock.Later(5));

        Assert.Equal("document-check-voided", Assert.Single(warnings).Code);
        Assert.Equal(IdentityStatus.Prov, identity.Status);
        Assert.Equal("ADRUN-DURAND", identity.BirthName);
        Assert.Equal(TestClock.Later(5), identity.StrictTraitsChangedAt);
    }

    [Fact]
    public void Update_DeclaredIns_IsRecordedAsDeclared()
    {
        var identity = new IdentityBuilder().Build();

        identity.Update(identity.Strict, identity.Complementary, IdentityBuilder.AdrunIns, TestClock.Later(1));

        Assert.Equal((IdentityBuilder.AdrunIns, InsSource.Declared), (identity.Ins, identity.InsSource));
    }

    [Fact]
    public void Update_DeclaredInsOnARetrievedIdentity_DoesNotOverrideTheTeleservice()
    {
        var identity = new IdentityBuilder().Retrieved().Build();

        identity.Update(identity.Strict, identity.Complementary, OtherNir, TestClock.Later(1));

        Assert.Equal((IdentityBuilder.AdrunIns, InsSource.Insi), (identity.Ins, identity.InsSource));
    }

    [Fact]
    public void CheckDocument_NoHighTrustTypeConfigured_IsARuleError()
    {
        var identity = new IdentityBuilder().Build();

        var error = Assert.Throws<DomainRuleException>(() => identity.CheckDocument(IdentityBuilder.Passport(), [], TestClock.Today, TestClock.Now));

        Assert.Equal("document-types-not-configured", error.Rule);
        Assert.Equal(IdentityStatus.Prov, identity.Status);
    }

    [Theory]
    [InlineData("DRIVING-LICENCE")]
    [InlineData("CARTE-VITALE")]
    public void CheckDocument_TypeNotInTheList_IsARuleError(string type)
    {
        var identity = new IdentityBuilder().Build();
        var check = IdentityBuilder.Passport() with { Type = type };

        var error = Assert.Throws<DomainRuleException>(() => identity.CheckDocument(check, IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Now));

        Assert.Equal("RNIV high-trust document", error.Rule);
        Assert.Null(identity.Document);
    }

    [Fact]
    public void CheckDocument_Expired_IsARuleError()
    {
        var identity = new IdentityBuilder().Build();

        var error = Assert.Throws<DomainRuleException>(() =>
            identity.CheckDocument(IdentityBuilder.Passport(TestClock.Today.AddDays(-1)), IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Now));

        Assert.Equal("document-expired", error.Rule);
    }

    [Fact]
    public void CheckDocument_ExpiringTodayInAnyCase_IsRecordedWithWhoWhenWhichAndExpiry()
    {
        var identity = new IdentityBuilder().Build();
        var check = new DocumentCheck("passport", "12AB34567", TestClock.Today, "agent-007", TestClock.Later(-5));

        identity.CheckDocument(check, IdentityBuilder.HighTrustTypes, TestClock.Today, TestClock.Now);

        Assert.Equal(check with { Type = "PASSPORT" }, identity.Document);
        Assert.Equal(IdentityStatus.Vali, identity.Status);
    }

    [Fact]
    public void SetAttributes_DouteuseAndFictive_AreExclusive()
    {
        var identity = new IdentityBuilder().Build();

        Assert.Throws<DomainRuleException>(() => identity.SetAttributes(IdentityAttributes.Douteuse | IdentityAttributes.Fictive, TestClock.Now));
        Assert.Equal(IdentityAttributes.None, identity.Attributes);
    }

    [Fact]
    public void MergedIdentity_RefusesChangesUntilUnmerged()
    {
        var identity = new IdentityBuilder().Build();
        var survivor = Guid.Parse("00000000-0000-0000-0000-000000000002");

        identity.MarkMergedInto(survivor, TestClock.Later(1));

        Assert.False(identity.IsActive);
        Assert.Equal("identity-merged", Assert.Throws<DomainRuleException>(() => identity.SetAttributes(IdentityAttributes.Homonyme, TestClock.Now)).Rule);
        identity.Unmerge(TestClock.Later(2));
        Assert.True(identity.IsActive);
        Assert.Equal([new IdentityMerged(identity.Id, survivor), new IdentityUnmerged(identity.Id, survivor)], identity.Events);
    }

    [Fact]
    public void MarkMergedInto_Itself_IsRefused()
    {
        var identity = new IdentityBuilder().Build();

        Assert.Equal("merge-self", Assert.Throws<DomainRuleException>(() => identity.MarkMergedInto(identity.Id, TestClock.Now)).Rule);
    }

    [Fact]
    public void TakeInsFrom_QualifiedMergedIdentity_TakesItsInsTraitsAndDocument()
    {
        var merged = new IdentityBuilder().WithId(Guid.Parse("00000000-0000-0000-0000-000000000009")).Retrieved().DocumentChecked().Build();
        var survivor = new IdentityBuilder().Build();

        survivor.TakeInsFrom(merged, TestClock.Later(5));

        Assert.Equal(IdentityStatus.Qual, survivor.Status);
        Assert.Equal(merged.Strict, survivor.Strict);
        Assert.Equal(IdentityBuilder.AdrunIns, survivor.ShareableIns);
    }

    [Fact]
    public void StatusCodesAndLabels_AreTheNationalOnes()
    {
        Assert.Equal(["PROV", "RECUP", "VALI", "QUAL"], Enum.GetValues<IdentityStatus>().Select(s => s.Code()));
        Assert.Equal("Identité qualifiée", IdentityStatus.Qual.Label());
        Assert.Equal(IdentityStatus.Recup, IdentityStatusCodes.Parse(" recup "));
        Assert.Null(IdentityStatusCodes.Parse("QUALIFIED"));
        Assert.Equal(["douteuse", "homonyme"], (IdentityAttributes.Douteuse | IdentityAttributes.Homonyme).Codes());
    }
}
