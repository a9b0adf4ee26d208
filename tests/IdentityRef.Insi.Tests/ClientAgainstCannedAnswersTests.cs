using System.Text;
using IdentityRef.Insi.Tests.Support;

namespace IdentityRef.Insi.Tests;

/// <summary>The client against real answers of the qualification platform (and broken ones), served over real HTTP.</summary>
public sealed class ClientAgainstCannedAnswersTests
{
    private static readonly InsiTraitsQuery AnyQuery = TestSetup.Traits("ECETINSI", "PIERRE-ALAIN", 'M', "2009-07-14");

    [Fact]
    public async Task EcetinsiAnswer_WithHistoryOutOfXsdOrder_IsReadByName()
    {
        var result = await SearchAgainst(200, TestSetup.Answer("TEST_2.04_cas2.xml"));

        var individual = result.Value!.Individual!;
        Assert.Equal(new InsIdentifier("1090763220834", "89", InsiContract.OidNir), individual.ActiveIns);
        Assert.Equal(2, individual.History.Count);
        Assert.Equal(new InsIdentifier("2090763220834", "39", InsiContract.OidNir, null, new DateOnly(2019, 3, 1), new DateOnly(2019, 2, 28)), individual.History[0]);
        Assert.Equal(new InsIdentifier("2090663220123", "55", InsiContract.OidNir), individual.History[1]);
        Assert.Equal("PIERRE-ALAIN MURIEL FLORIANT", individual.Traits.FirstNamesList);
        // The answer has no TIQ/Prenom: the first birth first name is the first element of the list.
        Assert.Equal("PIERRE-ALAIN", individual.Traits.FirstName);
        Assert.Equal("63220", individual.Traits.BirthPlaceCode);
    }

    [Fact]
    public async Task ProvisoireAnswer_CarriesANia()
    {
        var result = await SearchAgainst(200, TestSetup.Answer("TEST_2.05.xml"));

        var ins = result.Value!.Individual!.ActiveIns;
        Assert.Equal(InsiContract.OidNia, ins.Oid);
        Assert.True(ins.IsNia);
        Assert.Equal("109076322088835", ins.WithKey);
        Assert.Empty(result.Value.Individual.History);
    }

    [Fact]
    public async Task CorseAnswer_KeepsTheCorsicanMatricule_AndItsHistoryAsReceived()
    {
        var result = await SearchAgainst(200, TestSetup.Answer("TEST_2.08_cas1.xml"));

        var individual = result.Value!.Individual!;
        Assert.Equal("180032B020401", individual.ActiveIns.Matricule13);
        Assert.Equal("23", individual.ActiveIns.Key);
        Assert.Equal("2B020", individual.Traits.BirthPlaceCode);
        Assert.Single(individual.History);
    }

    [Fact]
    public async Task HermannAnswer_KeepsAFormerMatriculeOfAnotherSex()
    {
        var result = await SearchAgainst(200, TestSetup.Answer("TEST_2.08_cas2.xml"));

        Assert.Equal(["1810363220456", "2810363220456"], result.Value!.Individual!.History.Select(h => h.Matricule13));
    }

    [Fact]
    public async Task Cr01Answer_IsNotFound_WithItsLabel()
    {
        var result = await SearchAgainst(200, TestSetup.Answer("REP_CR01.xml"));

        Assert.Equal(InsiResultCode.NotFound, result.Value!.Code);
        Assert.Equal("Aucune identite trouvee", result.Value.Label);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task Cr01Answer_ForThreeFirstNames_CostsFourCalls_AndNoRetry()
    {
        await using var server = await LoopbackServer.ForCannedAsync(200, TestSetup.Answer("REP_CR01.xml"));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 3));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(TestSetup.Traits("HOUILLES", "PIERRE PAUL JACQUES", 'M', "1993-01-27"));

        Assert.Equal(4, result.Calls);
        Assert.Equal(4, result.HttpAttempts);
        Assert.Equal(4, server.RequestCount);
    }

    [Fact]
    public async Task RealDesir550Fault_IsATypedFault_NotRetried()
    {
        var result = await SearchAgainst(500, TestSetup.Answer("FAULT_siram_100_desir_550.xml"));

        var fault = Assert.IsType<InsiFaultError>(result.Error);
        Assert.Equal("soap:Sender", fault.SoapCode);
        Assert.Equal("soap:siram_100", fault.SoapSubcode);
        Assert.Equal("desir_550", fault.Code);
        Assert.Equal("erreur", fault.Severity);
        Assert.Equal("Numéro d'autorisation du logiciel inconnu.", fault.Label);
        Assert.StartsWith("L'accès par ce progiciel", fault.Reason, StringComparison.Ordinal);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task NotWellFormedAnswer_IsMalformed_NotRetried()
    {
        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes("<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"><S:Body"));

        Assert.IsType<InsiMalformedAnswerError>(result.Error);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task AnswerWithoutCodeCr_IsMalformed()
    {
        var body = """<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><LibelleCR>OK</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>""";

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body));

        Assert.Contains("CodeCR", Assert.IsType<InsiMalformedAnswerError>(result.Error).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FoundAnswerWithoutIndividual_IsMalformed()
    {
        var body = """<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>""";

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body));

        Assert.IsType<InsiMalformedAnswerError>(result.Error);
    }

    [Fact]
    public async Task FoundAnswerWithTwoIndividuals_IsMalformed_NotTheFirstOne()
    {
        // RESULTAT/INDIVIDU is 0..1 in INSi_RESULTAT_INS.xsd: a 00 carrying two people is not an answer for one.
        var real = Encoding.UTF8.GetString(TestSetup.Answer("TEST_2.05.xml"));
        var individual = Between(real, "<INDIVIDU>", "</INDIVIDU>");
        var other = individual.Replace("PROVISOIRE", "AUTRE", StringComparison.Ordinal).Replace("1090763220888", "2090763220888", StringComparison.Ordinal);
        var body = real.Replace(individual, individual + other, StringComparison.Ordinal);

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body), query: TestSetup.Traits("PROVISOIRE", "MATRICULE", 'M', "2009-07-01"));

        Assert.Null(result.Value);
        var error = Assert.IsType<InsiMalformedAnswerError>(result.Error);
        Assert.Equal("RESULTAT with more than one INDIVIDU", error.Reason);
        Assert.Equal(1, result.HttpAttempts); // a broken answer is not retried
        AssertNoPatientData(error);
    }

    [Theory]
    [InlineData("INSACTIF")]
    [InlineData("TIQ")]
    public async Task FoundAnswerWithTwoInsactifOrTwoTiq_IsMalformed_NotTheFirstOne(string element)
    {
        // INSACTIF and TIQ are 1..1 in an INDIVIDU: a second one (another INS, another person's traits) is not "ignored".
        var real = Encoding.UTF8.GetString(TestSetup.Answer("TEST_2.05.xml"));
        var first = Between(real, $"<{element}>", $"</{element}>");
        var second = first.Replace("PROVISOIRE", "AUTRE", StringComparison.Ordinal).Replace("1090763220888", "2090763220888", StringComparison.Ordinal);
        var body = real.Replace(first, first + second, StringComparison.Ordinal);

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body), query: TestSetup.Traits("PROVISOIRE", "MATRICULE", 'M', "2009-07-01"));

        Assert.Null(result.Value);
        var error = Assert.IsType<InsiMalformedAnswerError>(result.Error);
        Assert.Equal($"INDIVIDU with more than one {element}", error.Reason);
        AssertNoPatientData(error);
    }

    // Every other element of INSi_RESULTAT_INS.xsd but INSHISTO has maxOccurs="1" too: a second IdIndividu, NumIdentifiant,
    // Cle or OID in INSACTIF, a second birth name, sex or birth date in TIQ, a second CodeCR is malformed, never "the first one".
    [Theory]
    [InlineData("</IdIndividu>", "<IdIndividu><NumIdentifiant>2090763220888</NumIdentifiant><Cle>62</Cle></IdIndividu>", "INSACTIF with more than one IdIndividu")]
    [InlineData("<NumIdentifiant>1090763220888</NumIdentifiant>", "<NumIdentifiant>2090763220888</NumIdentifiant>", "INSACTIF/IdIndividu with more than one NumIdentifiant")]
    [InlineData("<Cle>35</Cle>", "<Cle>62</Cle>", "INSACTIF/IdIndividu with more than one Cle")]
    [InlineData("<OID>1.2.250.1.213.1.4.9</OID>", "<OID>1.2.250.1.213.1.4.8</OID>", "INSACTIF with more than one OID")]
    [InlineData("<NomNaissance>PROVISOIRE</NomNaissance>", "<NomNaissance>AUTRE</NomNaissance>", "TIQ with more than one NomNaissance")]
    [InlineData("<Sexe>M</Sexe>", "<Sexe>F</Sexe>", "TIQ with more than one Sexe")]
    [InlineData("<DateNaissance>2009-07-01</DateNaissance>", "<DateNaissance>1950-01-01</DateNaissance>", "TIQ with more than one DateNaissance")]
    [InlineData("<CodeCR>00</CodeCR>", "<CodeCR>01</CodeCR>", "CR with more than one CodeCR")]
    public async Task FoundAnswer_WithASingleValuedElementTwice_IsMalformed_NotTheFirstOne(string first, string second, string reason)
    {
        var real = Encoding.UTF8.GetString(TestSetup.Answer("TEST_2.05.xml"));
        Assert.Contains(first, real, StringComparison.Ordinal);
        var body = real.Replace(first, first + second, StringComparison.Ordinal);

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body), query: TestSetup.Traits("PROVISOIRE", "MATRICULE", 'M', "2009-07-01"));

        Assert.Null(result.Value);
        var error = Assert.IsType<InsiMalformedAnswerError>(result.Error);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(1, result.HttpAttempts);
        AssertNoPatientData(error);
    }

    [Fact]
    public async Task NotFoundAnswerWithTwoIndividuals_IsMalformed_Too()
    {
        // The cardinality is the contract's, whatever the code: a 01 or 02 carrying people is not read as "none found".
        var real = Encoding.UTF8.GetString(TestSetup.Answer("TEST_2.05.xml")).Replace("<CodeCR>00</CodeCR>", "<CodeCR>02</CodeCR>", StringComparison.Ordinal);
        var individual = Between(real, "<INDIVIDU>", "</INDIVIDU>");
        var body = real.Replace(individual, individual + individual, StringComparison.Ordinal);

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body), query: TestSetup.Traits("PROVISOIRE", "MATRICULE", 'M', "2009-07-01"));

        Assert.IsType<InsiMalformedAnswerError>(result.Error);
    }

    private static string Between(string text, string open, string close)
    {
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = text.IndexOf(close, start, StringComparison.Ordinal) + close.Length;
        return text[start..end];
    }

    private static void AssertNoPatientData(InsiError error)
    {
        foreach (var text in new[] { error.Describe(), ((InsiMalformedAnswerError)error).Reason })
        {
            foreach (var patientData in new[] { "PROVISOIRE", "AUTRE", "MATRICULE", "1090763220888", "2090763220888", "2009-07-01" })
            {
                Assert.DoesNotContain(patientData, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task AnswerWithADtd_IsMalformed_NotExpanded()
    {
        var body = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&e;</soap:Body></soap:Envelope>""";

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body));

        Assert.IsType<InsiMalformedAnswerError>(result.Error);
    }

    [Fact]
    public async Task AnswerNestedVeryDeeply_IsMalformed_AtOnce()
    {
        // Under MaxAnswerBytes, but 140,000 levels: loading it would take minutes and reading its text overflow the stack.
        const int depth = 140_000;
        var body = new StringBuilder("""<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>""");
        body.Insert(body.Length, "<a>", depth).Insert(body.Length, "</a>", depth);
        body.Append("""</soap:Header><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR><LibelleCR>x</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>""");

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body.ToString())).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("nests more than", Assert.IsType<InsiMalformedAnswerError>(result.Error).Reason, StringComparison.Ordinal);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task AnswerAsDeepAsTheLimit_IsRead_OneLevelMore_IsMalformed()
    {
        // The recorded answers are 7 levels deep; a RESULTAT (level 3) is read whatever its padding up to the limit.
        static byte[] Padded(int levels)
        {
            var header = string.Concat(Enumerable.Repeat("<a>", levels - 2)) + string.Concat(Enumerable.Repeat("</a>", levels - 2));
            return Encoding.UTF8.GetBytes($"""<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>{header}</soap:Header><soap:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR><LibelleCR>x</LibelleCR></CR></RESULTAT></soap:Body></soap:Envelope>""");
        }

        Assert.Equal(InsiResultCode.NotFound, (await SearchAgainst(200, Padded(32))).Value!.Code);
        Assert.IsType<InsiMalformedAnswerError>((await SearchAgainst(200, Padded(33))).Error);
    }

    [Fact]
    public async Task OversizedAnswer_IsMalformed()
    {
        var body = Encoding.UTF8.GetBytes("<a>" + new string('x', 3 * 1024 * 1024) + "</a>");

        var result = await SearchAgainst(200, body);

        Assert.Contains("larger", Assert.IsType<InsiMalformedAnswerError>(result.Error).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http500WithoutFault_IsRetried_ThenATransportError()
    {
        await using var server = await LoopbackServer.ForCannedAsync(500, Encoding.UTF8.GetBytes("Internal Server Error"), "text/plain");
        var observer = new RecordingObserver();
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 2), observer);
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        var error = Assert.IsType<InsiTransportError>(result.Error);
        Assert.Equal(500, error.HttpStatus);
        Assert.Equal(1, result.Calls);
        Assert.Equal(3, result.HttpAttempts);
        Assert.Equal(3, server.RequestCount);
        Assert.Equal([1, 2, 3], observer.Events.Select(e => e.Attempt));
        Assert.All(observer.Events, e => Assert.Equal(InsiAttemptStatus.HttpError, e.Status));
        // The retry resends the same message.
        Assert.Single(observer.Events.Select(e => e.MessageId).Distinct());
    }

    [Fact]
    public async Task Http503ThenAnAnswer_Succeeds_OnTheSecondAttempt()
    {
        var answer = TestSetup.Answer("TEST_2.04_cas2.xml");
        await using var server = await LoopbackServer.StartAsync((context, _, number) => number == 1
            ? LoopbackServer.WriteAsync(context, 503, "text/html", Encoding.UTF8.GetBytes("<html>proxy</html>"))
            : LoopbackServer.WriteAsync(context, 200, "application/soap+xml", answer));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 2));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        Assert.Equal(InsiResultCode.Found, result.Value!.Code);
        Assert.Equal(1, result.Calls);
        Assert.Equal(2, result.HttpAttempts);
    }

    [Fact]
    public async Task Http500WithRetriesDisabled_IsOneAttempt()
    {
        await using var server = await LoopbackServer.ForCannedAsync(502, Encoding.UTF8.GetBytes("Bad Gateway"), "text/plain");
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 0));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        Assert.Equal(502, Assert.IsType<InsiTransportError>(result.Error).HttpStatus);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Fact]
    public async Task Soap11Envelope_IsMalformed()
    {
        var body = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR><LibelleCR>x</LibelleCR></CR></RESULTAT></s:Body></s:Envelope>""";

        var result = await SearchAgainst(200, Encoding.UTF8.GetBytes(body));

        Assert.Contains("SOAP 1.2", Assert.IsType<InsiMalformedAnswerError>(result.Error).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http404WithoutFault_IsATransportError_NotRetried()
    {
        var result = await SearchAgainst(404, Encoding.UTF8.GetBytes("Not Found"), "text/plain");

        Assert.Equal(404, Assert.IsType<InsiTransportError>(result.Error).HttpStatus);
        Assert.Equal(1, result.HttpAttempts);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_IsNotFollowed_ATransportError_AndTheTraitsGoNowhereElse(int status)
    {
        // A misconfigured or compromised front answering a redirect must not get the patient's traits resent to another host.
        await using var elsewhere = await LoopbackServer.ForCannedAsync(200, TestSetup.Answer("TEST_2.04_cas2.xml"));
        await using var front = await LoopbackServer.StartAsync((context, _, _) =>
        {
            context.Response.Headers.Location = elsewhere.Endpoint.ToString();
            return LoopbackServer.WriteAsync(context, status, null, []);
        });
        var (client, http) = TestSetup.Client(TestSetup.Options(front.Endpoint, retryCount: 2));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        var error = Assert.IsType<InsiTransportError>(result.Error);
        Assert.Equal(status, error.HttpStatus);
        Assert.Equal(1, result.HttpAttempts);
        Assert.Equal(1, front.RequestCount);
        Assert.Equal(0, elsewhere.RequestCount);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_IsATimeout_AfterEachRetry()
    {
        await using var server = await LoopbackServer.StartAsync(async (context, _, _) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up: nothing to answer.
            }
        });
        var observer = new RecordingObserver();
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint, retryCount: 1, timeoutSeconds: 0.5), observer);
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        var timeout = Assert.IsType<InsiTimeoutError>(result.Error);
        Assert.Equal(TimeSpan.FromSeconds(0.5), timeout.TimeoutPerAttempt);
        Assert.Equal(1, result.Calls);
        Assert.Equal(2, result.HttpAttempts);
        Assert.Equal(2, server.RequestCount);
        Assert.All(observer.Events, e => Assert.Equal(InsiAttemptStatus.Timeout, e.Status));
    }

    [Fact]
    public async Task NobodyListening_IsATransportError_AfterEachRetry()
    {
        Uri endpoint;
        await using (var server = await LoopbackServer.ForCannedAsync(200, []))
        {
            endpoint = server.Endpoint;
        }

        var (client, http) = TestSetup.Client(TestSetup.Options(endpoint, retryCount: 2));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        var error = Assert.IsType<InsiTransportError>(result.Error);
        Assert.Null(error.HttpStatus);
        Assert.Equal(3, result.HttpAttempts);
    }

    [Fact]
    public async Task CallerCancellation_Throws_AndIsNotTurnedIntoAnError()
    {
        await using var server = await LoopbackServer.StartAsync(async (context, _, _) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up.
            }
        });
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint));
        using var _ = http;
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SearchByTraitsAsync(AnyQuery, cancellation.Token));
    }

    [Fact]
    public async Task InvalidQuery_IsRefused_BeforeAnyCall()
    {
        await using var server = await LoopbackServer.ForCannedAsync(200, TestSetup.Answer("REP_CR01.xml"));
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint));
        using var _ = http;

        var result = await client.SearchByTraitsAsync(TestSetup.Traits("ADRUN", "ZOE", 'F', "31/12/1975"));

        Assert.IsType<InsiInvalidQueryError>(result.Error);
        Assert.Equal(0, result.Calls);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task AttemptEvents_CarryNoPatientData()
    {
        await using var server = await LoopbackServer.ForCannedAsync(200, TestSetup.Answer("TEST_2.04_cas2.xml"));
        var observer = new RecordingObserver();
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint), observer);
        using var _ = http;

        var result = await client.SearchByTraitsAsync(AnyQuery);

        Assert.True(result.IsSuccess);
        var logged = string.Join("\n", observer.Events.Select(e => e.ToString()));
        Assert.Contains("rechercherInsAvecTraitsIdentite", logged, StringComparison.Ordinal);
        foreach (var patientData in new[] { "ECETINSI", "PIERRE", "2009-07-14", "1090763220834", "63220" })
        {
            Assert.DoesNotContain(patientData, logged, StringComparison.Ordinal);
        }
    }

    private static async Task<InsiResult<InsiSearchOutcome>> SearchAgainst(int status, byte[] body, string contentType = "application/soap+xml; charset=utf-8",
        InsiTraitsQuery? query = null)
    {
        await using var server = await LoopbackServer.ForCannedAsync(status, body, contentType);
        var (client, http) = TestSetup.Client(TestSetup.Options(server.Endpoint));
        using var _ = http;
        return await client.SearchByTraitsAsync(query ?? AnyQuery);
    }
}
