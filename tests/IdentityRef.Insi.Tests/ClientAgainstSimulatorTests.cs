using IdentityRef.Insi.Simulator;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests;

/// <summary>The client against the simulator, over real HTTP (Kestrel on loopback).</summary>
public sealed class ClientAgainstSimulatorTests : IAsyncLifetime
{
    private readonly InsiSimulator _simulator = TestSetup.Simulator(TestSetup.SoftwareNumber);
    private LoopbackServer _server = null!;
    private InsiClient _client = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.ForSimulatorAsync(_simulator);
        (_client, _http) = TestSetup.Client(TestSetup.Options(_server.Endpoint));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("ADRUN", "ZOE", 'F', "1975-12-31", "2751263220749", "74", "63220")]
    [InlineData("ADRTROIS", "DOMINIQUE", 'F', "1997-02-26", "297022A020778", "78", "2A020")]
    [InlineData("ADRTROIS", "TOUSSAINT", 'M', "1960-01-01", "160012B020777", "13", "2B020")]
    [InlineData("ECETINSI", "PIERRE-ALAIN", 'M', "2009-07-14", "1090763220834", "89", "63220")]
    [InlineData("PROVISOIRE", "MATRICULE", 'M', "2009-07-01", "1090763220888", "35", "63220")]
    [InlineData("CORSE", "ANTHONY", 'M', "1980-03-02", "180032B020401", "23", "2B020")]
    [InlineData("NESSI", "MICHELANGELO", 'M', "2010-08-07", "1100863220830", "60", "63220")]
    public async Task PublicTestIdentity_WithOneFirstName_IsFoundInOneCall(
        string birthName, string firstName, char sex, string birthDate, string matricule, string key, string birthPlace)
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits(birthName, firstName, sex, birthDate));

        Assert.True(result.IsSuccess, result.Error?.Describe());
        var outcome = result.Value!;
        Assert.Equal(InsiResultCode.Found, outcome.Code);
        Assert.Equal("00", outcome.CodeText);
        Assert.Equal(1, outcome.Calls);
        Assert.Equal(1, result.HttpAttempts);
        Assert.Equal(1, _server.RequestCount);
        Assert.Equal(matricule, outcome.Individual!.ActiveIns.Matricule13);
        Assert.Equal(key, outcome.Individual.ActiveIns.Key);
        Assert.Equal(birthName, outcome.Individual.Traits.BirthName);
        Assert.Equal(firstName, outcome.Individual.Traits.FirstName);
        Assert.Equal(sex, outcome.Individual.Traits.Sex);
        Assert.Equal(birthDate, outcome.Individual.Traits.BirthDate);
        Assert.Equal(birthPlace, outcome.Individual.Traits.BirthPlaceCode);
    }

    [Fact]
    public async Task AdrtroisDominique_IsFoundInOneCall_WithCorsicanIns()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("ADRTROIS", "DOMINIQUE", 'F', "1997-02-26"));

        Assert.Equal(1, result.Calls);
        var ins = result.Value!.Individual!.ActiveIns;
        Assert.Equal("297022A020778", ins.Matricule13);
        Assert.Equal("78", ins.Key);
        Assert.Equal("297022A02077878", ins.WithKey);
        Assert.Equal(InsiContract.OidNir, ins.Oid);
        Assert.False(ins.IsNia);
    }

    [Fact]
    public async Task Tchitchi_OlaThenCatarina_AnswersNotFoundThenFound_InTwoCalls()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("TCHITCHI", "OLA CATARINA", 'F', "1936-06-21"));

        var outcome = result.Value!;
        Assert.Equal(InsiResultCode.Found, outcome.Code);
        Assert.Equal(2, outcome.Calls);
        Assert.Equal(2, _server.RequestCount);
        Assert.Equal("CATARINA", outcome.FirstNamesSent);
        Assert.Equal("2360663220836", outcome.Individual!.ActiveIns.Matricule13);
        Assert.Equal("56", outcome.Individual.ActiveIns.Key);
        Assert.Equal("CATARINA BELLA", outcome.Individual.Traits.FirstNamesList);
        Assert.Equal(["CATARINA", "BELLA"], outcome.Individual.Traits.FirstNames);
    }

    [Fact]
    public async Task Houilles_ThreeFirstNames_AnswersNotFound_AfterFourCalls()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("HOUILLES", "PIERRE PAUL JACQUES", 'M', "1993-01-27"));

        var outcome = result.Value!;
        Assert.Equal(InsiResultCode.NotFound, outcome.Code);
        Assert.Null(outcome.Individual);
        Assert.Equal(4, outcome.Calls);
        Assert.Equal(4, result.Calls);
        Assert.Equal(4, _server.RequestCount);
        Assert.Equal("PIERRE PAUL JACQUES", outcome.FirstNamesSent);
        Assert.Equal("Aucune identite trouvee", outcome.Label);
    }

    [Fact]
    public async Task Ecetinsi_WholeFirstNameList_IsFound_WithHistory()
    {
        var result = await _client.SearchByTraitsAsync(new InsiTraitsQuery("ECETINSI", ["PIERRE-ALAIN MURIEL FLORIANT"], 'M', "2009-07-14"));

        var individual = result.Value!.Individual!;
        Assert.Equal("1090763220834", individual.ActiveIns.Matricule13);
        Assert.Equal(["2090763220834", "2090663220123"], individual.History.Select(h => h.Matricule13));
        Assert.Equal(new DateOnly(2019, 3, 1), individual.History[0].ValidFrom);
    }

    [Fact]
    public async Task SecondFirstNameAlone_IsNotFound_AsOnTheRealService()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("ECETINSI", "MURIEL", 'M', "2009-07-14"));

        Assert.Equal(InsiResultCode.NotFound, result.Value!.Code);
        Assert.Equal(1, result.Calls);
    }

    [Fact]
    public async Task Homonyms_WithBirthPlace_AreSeveralThenFound_InTwoCalls()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("DUPLIQUE", "MARIE", 'F', "1950-05-05", "75056"));

        var outcome = result.Value!;
        Assert.Equal(InsiResultCode.Found, outcome.Code);
        Assert.Equal(2, outcome.Calls);
        Assert.True(outcome.BirthPlaceSent);
        Assert.Equal("2500575056123", outcome.Individual!.ActiveIns.Matricule13);
    }

    [Fact]
    public async Task Homonyms_WithoutBirthPlace_AnswerSeveral_InOneCall()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("DUPLIQUE", "MARIE", 'F', "1950-05-05"));

        Assert.Equal(InsiResultCode.Several, result.Value!.Code);
        Assert.Equal("02", result.Value.CodeText);
        Assert.Equal(1, result.Calls);
    }

    [Fact]
    public async Task UnknownDayOfBirth_WithZeroDay_IsFound()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("LEJOUR", "ALICE", 'F', "2000-12-00"));

        Assert.Equal("2000-12-00", result.Value!.Individual!.Traits.BirthDate);
    }

    [Fact]
    public async Task GeneratedNia_IsToldByItsOid()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("NANTAIS", "PAUL", 'M', "1968-10-03"));

        Assert.True(result.Value!.Individual!.ActiveIns.IsNia);
    }

    [Fact]
    public async Task SexU_IsRefusedByTheService_WithFaultInsi24()
    {
        var result = await _client.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'U', "1975-12-31"));

        var fault = Assert.IsType<InsiFaultError>(result.Error);
        Assert.Equal("insi_24", fault.Code);
        Assert.Equal("soap:Sender", fault.SoapCode);
        Assert.Equal(500, fault.HttpStatus);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task UnknownSoftwareNumber_IsRefused_WithFaultDesir550()
    {
        var options = TestSetup.Options(_server.Endpoint);
        options.SoftwareAuthorisationNumber = "UNKNOWN-NUMBER";
        var (client, http) = TestSetup.Client(options);
        using (http)
        {
            var result = await client.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "1975-12-31"));

            var fault = Assert.IsType<InsiFaultError>(result.Error);
            Assert.Equal("desir_550", fault.Code);
            Assert.Equal("soap:siram_100", fault.SoapSubcode);
            Assert.Equal("erreur", fault.Severity);
            Assert.Equal(1, result.Calls);
            Assert.Equal(1, result.HttpAttempts);
        }
    }

    [Fact]
    public async Task VitaleSearch_WithTheBeneficiaryMatricule_IsFound()
    {
        var query = new InsiVitaleQuery(new InsiMatricule("1100863220830", "60"), null, "NESSI", "2010-08-07", "1", Card("1100863220830", "60"));

        var result = await _client.SearchWithVitaleAsync(query);

        Assert.Equal(InsiResultCode.Found, result.Value!.Code);
        Assert.Equal("MICHELANGELO", result.Value.Individual!.Traits.FirstName);
    }

    [Fact]
    public async Task VitaleSearch_WithAFormerMatricule_FindsTheActiveIns()
    {
        var query = new InsiVitaleQuery(new InsiMatricule("2090663220123", "55"), null, null, "2009-07-14", "1", Card("2090663220123", "55"));

        var result = await _client.SearchWithVitaleAsync(query);

        Assert.Equal("1090763220834", result.Value!.Individual!.ActiveIns.Matricule13);
    }

    [Fact]
    public async Task VitaleSearch_WithAnotherBirthDate_IsNotFound()
    {
        var query = new InsiVitaleQuery(new InsiMatricule("1100863220830", "60"), null, null, "2010-08-08", "1", Card("1100863220830", "60"));

        var result = await _client.SearchWithVitaleAsync(query);

        Assert.Equal(InsiResultCode.NotFound, result.Value!.Code);
    }

    [Fact]
    public async Task Verification_OfMatchingInsAndTraits_IsVerified()
    {
        var query = new InsiVerificationQuery("2360663220836", "56", InsiContract.OidNir, "TCHITCHI", ["CATARINA", "BELLA"], 'F', "1936-06-21");

        var result = await _client.VerifyAsync(query);

        Assert.True(result.Value!.Verified);
        Assert.Equal("2360663220836", result.Value.Individual!.ActiveIns.Matricule13);
    }

    [Fact]
    public async Task Verification_WithAnotherBirthDate_IsNotVerified()
    {
        var query = new InsiVerificationQuery("2360663220836", "56", InsiContract.OidNir, "TCHITCHI", ["CATARINA"], 'F', "1936-06-22");

        var result = await _client.VerifyAsync(query);

        Assert.False(result.Value!.Verified);
        Assert.Equal(InsiResultCode.NotFound, result.Value.Code);
    }

    /// <summary>The card's data as a reader gives them: the insured (here the beneficiary) and the beneficiary's rank.</summary>
    private static InsiCardCoverage Card(string matricule, string key) =>
        new("01", "631", "0000", new InsiMatricule(matricule, key), new InsiMatricule(matricule, key), BeneficiaryRank: 1);

    [Fact]
    public async Task VitaleSearch_WithoutTheCardData_IsRefusedBeforeAnyCall()
    {
        var result = await _client.SearchWithVitaleAsync(new InsiVitaleQuery(new InsiMatricule("1100863220830", "60"), null, "NESSI", "2010-08-07", "1"));

        Assert.IsType<InsiInvalidQueryError>(result.Error);
        Assert.Equal(0, result.HttpAttempts);
    }
}
