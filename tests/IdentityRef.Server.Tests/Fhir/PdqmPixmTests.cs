// Firely's model types every element as nullable; these tests read the shape they assert, and a missing element fails the test.
#nullable disable warnings
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Application.Security;
using IdentityRef.Persistence;
using IdentityRef.Server.Fhir;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace IdentityRef.Server.Tests.Fhir;

/// <summary>PDQm (ITI-78) and PIXm (ITI-83) over real HTTP: every resource received is parsed by Firely and validated.</summary>
public sealed class PdqmPixmTests(Databases databases) : IClassFixture<Databases>
{
    private const string IppSystem = "urn:oid:1.2.250.1.999.1.1";
    private const string NirSystem = "urn:oid:1.2.250.1.213.1.4.8";

    [Theory]
    [MemberData(nameof(Databases.Providers), MemberType = typeof(Databases))]
    public async Task Search_ByFamilyAndBirthDate_FindsThePatient_AsFrCorePatient_AndTheQueryIsAudited(DatabaseProvider provider)
    {
        var factory = databases[provider];
        var name = "TEST" + PatientJson.UniqueLetters();
        var ipp = await CreateAsync(factory, PatientJson.Valid(name));
        await CreateAsync(factory, PatientJson.Valid(name).With("birthDate", "1980-01-01"));
        var client = factory.CreateClient(Roles.Consultation);

        // lower case and a prefix, as a lab middleware types it: FHIR string search is case-insensitive and starts-with
        var response = await client.GetAsync($"/fhir/Patient?family={name[..8].ToLowerInvariant()}{name[8..]}&birthdate=1975-04-12&gender=male");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await FhirValidation.ReadValidAsync<Bundle>(response);
        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
        Assert.Equal(1, bundle.Total);
        var patient = Assert.IsType<Patient>(Assert.Single(bundle.Entry).Resource);
        Assert.Equal(Bundle.SearchEntryMode.Match, bundle.Entry[0].Search.Mode);
        Assert.Equal(ipp, patient.Id);
        FrCoreRules.AssertPatient(patient);
        Assert.Equal("PROV", FrCoreRules.StatusOf(patient));
        Assert.Equal(name, patient.Name.Single(n => n.Use == HumanName.NameUse.Official).Family);
        Assert.Equal("MARTIN", patient.Name.Single(n => n.Use == HumanName.NameUse.Usual).Family);
        Assert.Equal("JEAN-PIERRE MARIE", patient.Name[0].GetStringExtension(FrCorePatients.BirthListGivenName));
        Assert.Equal(["JEAN-PIERRE"], patient.Name[0].Given);
        Assert.Equal("75112", ((Address)patient.GetExtension(FrCorePatients.BirthPlace).Value).GetExtensionValue<Coding>(FrCorePatients.AddressInseeCode).Code);

        // who asked, what, how many: in the audit trail; the logs carry no name
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var audit = await db.AuditTrail.Where(a => a.Action == "query.pdqm.search" && a.Actor == "test-consultation").OrderByDescending(a => a.Id).FirstAsync();
        var details = JsonDocument.Parse(audit.Details!).RootElement;
        Assert.Equal(1, details.GetProperty("count").GetInt32());
        Assert.Equal("1975-04-12", details.GetProperty("parameters").GetProperty("birthdate").GetString());
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(name, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ADeceasedPatient_CarriesDeceasedDateTime_AndALivingOneNone()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var name = "TEST" + PatientJson.UniqueLetters();
        var died = await CreateAsync(factory, PatientJson.Valid(name).With("deathDate", "2024-03-15"));
        var living = await CreateAsync(factory, PatientJson.Valid(name).With("birthDate", "1980-01-01").With("confirmDuplicate", true));
        var client = factory.CreateClient(Roles.Consultation);

        var deceased = await FhirValidation.ReadValidAsync<Patient>(await client.GetAsync($"/fhir/Patient/{died}"));
        var alive = await FhirValidation.ReadValidAsync<Patient>(await client.GetAsync($"/fhir/Patient/{living}"));

        Assert.Equal("2024-03-15", Assert.IsType<FhirDateTime>(deceased.Deceased).Value);
        Assert.Null(alive.Deceased);
    }

    [Fact]
    public async Task Search_PagesWithNextAndPreviousLinks_AndNeverReturnsAMergedIdentity()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var name = "PAGE" + PatientJson.UniqueLetters();
        var ipps = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ipps.Add(await CreateAsync(factory, PatientJson.Valid(name).With("firstNames", "Anne" + (char)('A' + i))));
        }
        await MergeAsync(factory, survivor: ipps[0], merged: ipps[3]);
        var client = factory.CreateClient(Roles.Consultation);

        var first = await FhirValidation.ReadValidAsync<Bundle>(await client.GetAsync($"/fhir/Patient?family={name}&_count=2"));
        Assert.Equal(3, first.Total); // the merged one is not a match
        Assert.Equal(2, first.Entry.Count);
        var next = first.Link.Single(l => l.Relation == "next").Url;
        Assert.StartsWith("http://localhost/fhir/Patient?", next);
        var second = await FhirValidation.ReadValidAsync<Bundle>(await client.GetAsync(new Uri(next).PathAndQuery));
        Assert.Single(second.Entry);
        Assert.Contains(second.Link, l => l.Relation == "previous");
        Assert.DoesNotContain(second.Link, l => l.Relation == "next");
        var seen = first.Entry.Concat(second.Entry).Select(e => e.Resource.Id).ToList();
        Assert.Equal(ipps.Take(3).Order(), seen.Order());

        // the merged identity's IPP now finds its survivor, which lists it as an old identifier
        var byOld = await FhirValidation.ReadValidAsync<Bundle>(await client.GetAsync($"/fhir/Patient?identifier={IppSystem}|{ipps[3]}"));
        var survivor = Assert.IsType<Patient>(Assert.Single(byOld.Entry).Resource);
        Assert.Equal(ipps[0], survivor.Id);
        Assert.Contains(survivor.Identifier, i => i.Use == Identifier.IdentifierUse.Old && i.Value == ipps[3]);
        // read by id shows the merged identity as inactive, replaced by its survivor
        var merged = await FhirValidation.ReadValidAsync<Patient>(await client.GetAsync($"/fhir/Patient/{ipps[3]}"));
        Assert.False(merged.Active);
        Assert.Equal("Patient/" + ipps[0], merged.Link.Single(l => l.Type == Patient.LinkType.ReplacedBy).Other.Reference);
    }

    [Fact]
    public async Task QualifiedIdentity_IsFrCorePatientIns_WithItsNir_AndAnIdentityNotQualifiedNeverShowsOrAnswersItsIns()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var admin = factory.CreateClient();
        var qualified = await CreateAsync(factory, new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["usedName"] = "Martin", ["confirmDuplicate"] = true });
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{qualified}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{qualified}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{qualified}/documents", new JsonObject { ["type"] = "PA", ["number"] = "19AB12345", ["expires"] = factory.Today.AddYears(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }.Content())).StatusCode);
        var recup = await CreateAsync(factory, new JsonObject { ["birthName"] = "Nessi", ["firstNames"] = "Michelangelo", ["birthDate"] = "2010-08-07", ["sex"] = "M", ["confirmDuplicate"] = true });
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{recup}/insi/search", null)).StatusCode);
        var accepted = await (await admin.PostAsync($"/api/patients/{recup}/insi/accept", null)).ReadObjectAsync();
        Assert.Equal("RECUP", (string)accepted["status"]!);
        var client = factory.CreateClient(Roles.Consultation);

        var patient = await FhirValidation.ReadValidAsync<Patient>(await client.GetAsync($"/fhir/Patient/{qualified}"));
        FrCoreRules.AssertPatient(patient);
        Assert.Equal("QUAL", FrCoreRules.StatusOf(patient));
        var nir = patient.Identifier.Single(i => i.System == NirSystem);
        Assert.Equal("297022A02077878", nir.Value);
        Assert.Equal(Identifier.IdentifierUse.Official, nir.Use);
        var reliability = patient.GetExtension(FrCorePatients.IdentityReliability);
        Assert.Equal("PA", ((Coding)reliability.GetExtension("validationMode").Value).Code);
        Assert.Equal("INSI", ((Coding)reliability.GetExtension("methodCollection").Value).Code);

        // the qualified INS finds its patient; the INS of a RECUP identity is neither shown nor answered
        var byIns = await FhirValidation.ReadValidAsync<Bundle>(await client.GetAsync($"/fhir/Patient?identifier={NirSystem}|297022A02077878"));
        Assert.Equal(qualified, Assert.Single(byIns.Entry).Resource.Id);
        var recupPatient = await FhirValidation.ReadValidAsync<Patient>(await client.GetAsync($"/fhir/Patient/{recup}"));
        FrCoreRules.AssertPatient(recupPatient);
        Assert.Equal("RECUP", FrCoreRules.StatusOf(recupPatient));
        string recupIns;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            recupIns = (await db.Identities.SingleAsync(i => i.Ipp == recup)).InsValue!;
        }
        Assert.DoesNotContain(recupIns, await (await client.GetAsync($"/fhir/Patient/{recup}")).Content.ReadAsStringAsync());
        var byRecupIns = await FhirValidation.ReadValidAsync<Bundle>(await client.GetAsync($"/fhir/Patient?identifier={recupIns}"));
        Assert.Empty(byRecupIns.Entry);
        var pixRecup = await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={NirSystem}|{recupIns}");
        Assert.Equal(HttpStatusCode.NotFound, pixRecup.StatusCode);
        await FhirValidation.ReadValidAsync<OperationOutcome>(pixRecup);

        // $match with the qualified INS: that candidate is certain; given a RECUP identity's INS, its candidate is not, and that INS adds nothing
        Patient Probe(string family, string given, string birthDate, AdministrativeGender sex, string ins) => new()
        {
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = family, Given = [given] }],
            BirthDate = birthDate,
            Gender = sex,
            Identifier = [new Identifier(NirSystem, ins)],
        };
        var certain = await FhirValidation.ReadValidAsync<Bundle>(await PostMatchAsync(client,
            Probe("Adrtrois", "Dominique", "1997-02-26", AdministrativeGender.Female, "297022A02077878"), onlyCertain: true));
        var certainEntry = Assert.Single(certain.Entry);
        Assert.Equal(qualified, certainEntry.Resource.Id);
        Assert.Equal("certain", MatchGrade(certainEntry));
        var recupProbe = Probe("Nessi", "Michelangelo", "2010-08-07", AdministrativeGender.Male, recupIns);
        var notCertain = await FhirValidation.ReadValidAsync<Bundle>(await PostMatchAsync(client, recupProbe));
        Assert.Equal(recup, notCertain.Entry.First().Resource.Id);
        // graded on its traits alone: the INS it holds but does not share is no criterion (InsLifecycleReviewTests)
        Assert.Equal("possible", MatchGrade(notCertain.Entry.First()));
        Assert.Empty((await FhirValidation.ReadValidAsync<Bundle>(await PostMatchAsync(client, recupProbe, onlyCertain: true))).Entry);

        // PIXm from the INS to our IPP
        var pix = await FhirValidation.ReadValidAsync<Parameters>(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={NirSystem}|297022A02077878&targetSystem={IppSystem}"));
        var target = (Identifier)pix.Parameter.Single(p => p.Name == "targetIdentifier").Value;
        Assert.Equal((IppSystem, qualified), (target.System, target.Value));
        Assert.EndsWith("/Patient/" + qualified, ((ResourceReference)pix.Parameter.Single(p => p.Name == "targetId").Value).Reference);
    }

    [Fact]
    public async Task Pixm_ResolvesAnotherDomainsIdentifier_FollowsMerges_AndAnswersEachErrorAsIti83Says()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var survivor = await CreateAsync(factory, PatientJson.Valid());
        var merged = await CreateAsync(factory, PatientJson.Valid());
        var labId = "LAB" + PatientJson.UniqueLetters();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // a cross-reference as the inbound feed keeps it (PID-3 of the lab's A28), on the identity that will be merged
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var id = (await db.Identities.SingleAsync(i => i.Ipp == merged)).Id;
            db.Identifiers.Add(new IdentityIdentifier { IdentityId = id, System = "hl7:LABO", Value = labId, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        await MergeAsync(factory, survivor, merged);
        var client = factory.CreateClient(Roles.Consultation);
        const string LabSystem = "urn:identityref:hl7:LABO";

        // the lab's id, attached to the merged identity, resolves to the survivor
        var pix = await FhirValidation.ReadValidAsync<Parameters>(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={LabSystem}|{labId}"));
        Assert.Contains(pix.Parameter, p => p.Name == "targetIdentifier" && ((Identifier)p.Value).System == IppSystem && ((Identifier)p.Value).Value == survivor);
        Assert.DoesNotContain(pix.Parameter, p => p.Name == "targetIdentifier" && ((Identifier)p.Value).Value == labId); // not the source itself
        Assert.EndsWith("/Patient/" + survivor, ((ResourceReference)pix.Parameter.Single(p => p.Name == "targetId").Value).Reference);
        // from our IPP to the lab's domain only
        var toLab = await FhirValidation.ReadValidAsync<Parameters>(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={IppSystem}|{survivor}&targetSystem={LabSystem}"));
        Assert.Equal(labId, ((Identifier)toLab.Parameter.Single(p => p.Name == "targetIdentifier").Value).Value);

        await AssertOutcomeAsync(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:9.9.9|1"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.CodeInvalid);
        await AssertOutcomeAsync(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={IppSystem}|{survivor}&targetSystem=urn:oid:9.9.9"), HttpStatusCode.Forbidden, OperationOutcome.IssueType.CodeInvalid);
        await AssertOutcomeAsync(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={IppSystem}|999999999"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient/$ihe-pix"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={survivor}"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync($"/fhir/Patient/$ihe-pix?sourceIdentifier={IppSystem}|{survivor}&foo=1"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported);
    }

    [Fact]
    public async Task Match_RanksTheSamePersonWithAScoreAndAGrade_AndRefusesBadTraitsNamingTheElement()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var name = "MATCH" + PatientJson.UniqueLetters();
        var ipp = await CreateAsync(factory, PatientJson.Valid(name));
        var client = factory.CreateClient(Roles.Consultation);
        var probe = new Patient
        {
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = name.ToLowerInvariant(), Given = ["Jean-Pierre", "Marie"] }],
            BirthDate = "1975-04-12",
            Gender = AdministrativeGender.Male,
            Address = [new Address { Use = Address.AddressUse.Home, Line = ["12 rue des Lilas"], PostalCode = "75012", City = "Paris" }],
        };
        var birthPlace = new Address();
        birthPlace.Extension.Add(new Extension(FrCorePatients.AddressInseeCode, new Coding(FrCorePatients.InseeCommunes, "75112")));
        probe.Extension.Add(new Extension(FrCorePatients.BirthPlace, birthPlace));
        var response = await PostMatchAsync(client, probe);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await FhirValidation.ReadValidAsync<Bundle>(response);
        var entry = bundle.Entry.First();
        Assert.Equal(ipp, entry.Resource.Id);
        Assert.InRange(entry.Search.Score!.Value, 0.5m, 1m);
        Assert.Equal("probable", MatchGrade(entry));
        FrCoreRules.AssertPatient((Patient)entry.Resource);
        // onlyCertainMatches: a probable candidate without the same qualified INS is not certain
        var certain = await FhirValidation.ReadValidAsync<Bundle>(await PostMatchAsync(client, probe, onlyCertain: true));
        Assert.Empty(certain.Entry);

        probe.BirthDate = "2999-01-01";
        var invalid = await PostMatchAsync(client, probe);
        var outcome = await AssertOutcomeAsync(invalid, HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        Assert.Contains(outcome.Issue, i => i.Expression.Contains("Patient.birthDate"));
        var garbage = await client.PostAsync("/fhir/Patient/$match", new StringContent("{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"resource\",\"resource\":{\"resourceType\":\"Patient\",\"birthDate\":12}}]}", Encoding.UTF8, "application/fhir+json"));
        await AssertOutcomeAsync(garbage, HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.PostAsync("/fhir/Patient/$match", new StringContent("{\"resourceType\":\"Parameters\"}", Encoding.UTF8, "application/fhir+json")),
            HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
    }

    [Fact]
    public async Task Metadata_IsAValidCapabilityStatement_AndEveryErrorIsAnOperationOutcome()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var anonymous = factory.CreateAnonymousClient(followRedirects: false);
        anonymous.DefaultRequestHeaders.Accept.Clear();
        var capability = await FhirValidation.ReadValidAsync<CapabilityStatement>(await anonymous.GetAsync("/fhir/metadata"));
        Assert.Contains(capability.Rest[0].Resource[0].Operation, o => o.Name == "ihe-pix");
        Assert.Contains(capability.Rest[0].Resource[0].Operation, o => o.Name == "match");

        await AssertOutcomeAsync(await anonymous.GetAsync("/fhir/Patient?family=X"), HttpStatusCode.Unauthorized, OperationOutcome.IssueType.Login);
        var client = factory.CreateClient(Roles.Consultation);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?name=X"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?family:phonetic=X"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?birthdate=1975"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?birthdate=ge1975-01-01"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?gender=x"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?family=X&_count=0"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?family=X&_count=-1"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?family=%E2%98%83"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?identifier=urn:oid:9.9.9|1"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient/999999999"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Observation"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotSupported);
        await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?family=X&_format=xml"), HttpStatusCode.NotAcceptable, OperationOutcome.IssueType.NotSupported);
        // SQL-looking input is refused by the INS character rules, naming the parameter; a name with an apostrophe matches nobody
        var hostile = await AssertOutcomeAsync(await client.GetAsync("/fhir/Patient?family=" + Uri.EscapeDataString("x' OR '1'='1")), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        Assert.Equal(["family"], hostile.Issue[0].Expression);
        Assert.Empty((await FhirValidation.ReadValidAsync<Bundle>(await client.GetAsync("/fhir/Patient?family=" + Uri.EscapeDataString("d'x OR")))).Entry);

        // the read-only role queries and does nothing else
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/patients?birthName=X")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/patients", PatientJson.Valid().Content())).StatusCode);
    }

    private static async Task<OperationOutcome> AssertOutcomeAsync(HttpResponseMessage response, HttpStatusCode status, OperationOutcome.IssueType code)
    {
        Assert.Equal(status, response.StatusCode);
        var outcome = await FhirValidation.ReadValidAsync<OperationOutcome>(response);
        Assert.Contains(outcome.Issue, i => i.Code == code && i.Severity == OperationOutcome.IssueSeverity.Error);
        return outcome;
    }

    /// <summary>The grade of a $match answer's entry (FHIR's match-grade extension).</summary>
    /// <summary>
    /// Only a qualified identity hands its INS on (RNIV EXI SI 08): <c>$match</c> given a RECUP identity's own INS returned it
    /// "probable", given any other INS with the same traits did not return it at all, so a consumer could test INS values
    /// against a patient whose INS must not leave the server (review, December 8, 2026). Now the answer is the same.
    /// </summary>
    [Fact]
    public async Task Match_OfARecupIdentity_IsTheSameWhateverTheInsGiven_ItsUnsharedInsIsNoCriterion()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var admin = factory.CreateClient();
        var created = await admin.PostAsync("/api/patients", new JsonObject
        {
            ["birthName"] = "Nessi", ["firstNames"] = "Michelangelo", ["birthDate"] = "2010-08-07", ["sex"] = "M",
        }.Content());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ipp = (string)(await created.ReadObjectAsync())["ipp"]!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/patients/{ipp}/insi/search", null)).StatusCode);
        Assert.Equal("RECUP", (string)(await (await admin.PostAsync($"/api/patients/{ipp}/insi/accept", null)).ReadObjectAsync())["status"]!);
        const string HeldIns = "110086322083060"; // NESSI MICHELANGELO at the simulated INSi: held here, not shared (RECUP)
        var otherIns = "1100863220831" + PatientJson.InsKey("1100863220831");
        var client = factory.CreateClient(Roles.Consultation);

        async Task<(decimal? Score, string? Grade)?> MatchAsync(string ins)
        {
            var probe = new Patient
            {
                Name = [new HumanName { Use = HumanName.NameUse.Official, Family = "Nessi", Given = ["Michelangelo"] }],
                BirthDate = "2010-08-07",
                Gender = AdministrativeGender.Male,
                Identifier = [new Identifier(NirSystem, ins)],
            };
            var bundle = await FhirValidation.ReadValidAsync<Bundle>(await PostMatchAsync(client, probe));
            return bundle.Entry.SingleOrDefault(e => e.Resource.Id == ipp) is { } entry ? (entry.Search.Score, MatchGrade(entry)) : null;
        }

        var withHeldIns = await MatchAsync(HeldIns);
        Assert.NotNull(withHeldIns);
        Assert.Equal(withHeldIns, await MatchAsync(otherIns));
    }

    private static string? MatchGrade(Bundle.EntryComponent entry) =>
        ((Code)entry.Search.GetExtension("http://hl7.org/fhir/StructureDefinition/match-grade").Value).Value;

    private static Task<HttpResponseMessage> PostMatchAsync(HttpClient client, Patient probe, bool onlyCertain = false)
    {
        var parameters = new Parameters();
        parameters.Parameter.Add(new Parameters.ParameterComponent { Name = "resource", Resource = probe });
        if (onlyCertain)
        {
            parameters.Parameter.Add(new Parameters.ParameterComponent { Name = "onlyCertainMatches", Value = new FhirBoolean(true) });
        }
        var json = JsonSerializer.Serialize(parameters, new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector));
        return client.PostAsync("/fhir/Patient/$match", new StringContent(json, Encoding.UTF8, "application/fhir+json"));
    }

    private static async Task<string> CreateAsync(IdentityRefFactory factory, JsonObject person)
    {
        var response = await factory.CreateClient().PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }

    private static async Task MergeAsync(IdentityRefFactory factory, string survivor, string merged)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var merges = scope.ServiceProvider.GetRequiredService<MergeService>();
        await merges.MergeAsync(await db.Identities.SingleAsync(i => i.Ipp == survivor), await db.Identities.SingleAsync(i => i.Ipp == merged),
            new Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
    }
}
