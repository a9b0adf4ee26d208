using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Qualification;
using IdentityRef.Domain.Ins;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Qualification;

/// <summary>
/// The verdict on real traits, through the server's own judge (the matcher's comparators, the INS rules, the base): the
/// simulator's public identities and crafted answers, one row per case the identity vigilance cell knows.
/// </summary>
public sealed class InsiVerdictTableTests(Databases databases) : IClassFixture<Databases>
{
    private const string AdrunIns = "275126322074974";

    /// <summary>An INS no identity of the base holds, with a valid key.</summary>
    private static readonly string AnswerIns = "1991060123456" + Key("1991060123456");

    // local identity (birth name, first names, sex, birth date) | answer (birth name, first names, sex, birth date, birth place) | kind | rule
    public static IEnumerable<object[]> Cases => new string[][]
    {
        // the public test identities, answered as typed
        [ "Adrun", "Zoe", "F", "1975-12-31", "ADRUN", "ZOE", "F", "1975-12-31", "", "same-person", "same-traits" ],
        [ "Nessi", "Michelangelo", "M", "2010-08-07", "NESSI", "MICHELANGELO", "M", "2010-08-07", "", "same-person", "same-traits" ],
        // spelling only: the answer corrects, the document must be checked again
        [ "Tchitchi", "Ola Catarina", "F", "1936-06-21", "TCHITCHI", "CATARINA BELLA", "F", "1936-06-21", "63220", "spelling-only", "spelling-only" ],
        [ "Adrunn", "Zoe", "F", "1975-12-31", "ADRUN", "ZOE", "F", "1975-12-31", "", "spelling-only", "spelling-only" ],
        [ "Adrun", "Zoé Marie", "F", "1975-12-31", "ADRUN", "ZOE", "F", "1975-12-31", "", "spelling-only", "spelling-only" ],
        [ "Adrun", "Zoe", "F", "1975-03-12", "ADRUN", "ZOE", "F", "1975-12-03", "", "spelling-only", "spelling-only" ],
        [ "Adrun", "Zoe", "F", "1975-12-31", "ADRUN", "ZOE", "F", "1975-12-31", "63113", "spelling-only", "spelling-only" ], // the birth place completed
        // another person
        [ "Other", "Beatrice", "F", "2002-05-14", "MARTINEZ", "PAUL", "M", "1950-03-04", "75056", "different-person", "sex-differs" ], // wrong line of a carte Vitale
        [ "Adrun", "Zoe", "F", "1975-12-31", "ADRUN", "MARIE", "F", "1950-04-02", "63220", "different-person", "birth-date-differs" ], // the mother
        [ "Nessi", "Michelangelo", "M", "2010-08-07", "NESSI", "RAPHAEL", "M", "2010-08-07", "", "different-person", "first-names-differ" ], // a twin brother
        [ "Caroline", "Caroline", "F", "1990-01-01", "CAROLINE", "CARINE", "F", "1990-01-01", "", "different-person", "first-names-differ" ], // twins, shared prefix
        [ "Martin", "Zoe", "F", "1975-12-31", "ADRUN", "ZOE", "F", "1975-12-31", "", "different-person", "birth-name-differs" ], // a used name typed as birth name
        [ "Dupont", "Jean", "M", "1980-01-01", "ROUSSEAU", "PAUL", "M", "1980-01-01", "", "different-person", "names-unrelated" ],
    }.Select(row => row.Cast<object>().ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Judge_ClassesTheAnswer(string birthName, string firstNames, string sex, string birthDate,
        string answerName, string answerFirstNames, string answerSex, string answerDate, string answerPlace, string kind, string rule)
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var ipp = await CreateAsync(factory.CreateClient(), birthName, firstNames, sex, birthDate);
        var answer = new InsiTraitsDto(answerName, answerFirstNames.Split(' ')[0], answerFirstNames, answerSex, answerDate, answerPlace.Length == 0 ? null : answerPlace);

        var verdict = await JudgeAsync(factory, ipp, answer, AnswerIns, InsOids.Nir);

        Assert.Equal((kind, rule), (InsiVerdictDto.KindCode(verdict.Kind), verdict.Rule));
    }

    [Fact]
    public async Task Judge_AnInsAnotherActiveIdentityHolds_IsHeldElsewhere_WhateverTheTraits()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var client = factory.CreateClient();
        var holder = await CreateAsync(client, "Adrun", "Zoe", "F", "1975-12-31", AdrunIns);
        var ipp = await CreateAsync(client, "Adrun", "Zoe", "F", "1975-12-31");

        var verdict = await JudgeAsync(factory, ipp, new InsiTraitsDto("ADRUN", "ZOE", "ZOE", "F", "1975-12-31", "63220"), AdrunIns, InsOids.Nir);

        Assert.Equal(InsiVerdictKind.InsHeldElsewhere, verdict.Kind);
        Assert.Contains(holder, verdict.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("27512632207", InsOids.Nir, "insi-answer-invalid")]           // no key
    [InlineData(AdrunIns, "1.2.3.4", "insi-answer-invalid")]                   // not an INS authority
    public async Task Judge_InvalidAnswer_IsNeverForTheDesk(string ins, string oid, string rule)
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var ipp = await CreateAsync(factory.CreateClient(), "Adrun", "Zoe", "F", "1975-12-31");

        var verdict = await JudgeAsync(factory, ipp, new InsiTraitsDto("ADRUN", "ZOE", "ZOE", "F", "1975-12-31", "63220"), ins, oid);

        Assert.Equal((InsiVerdictKind.AnswerInvalid, rule), (verdict.Kind, verdict.Rule));
    }

    [Fact]
    public async Task Judge_AnswerWhoseTraitsBreakTheInsRules_IsInvalid()
    {
        var factory = databases[DatabaseProvider.Sqlite];
        var ipp = await CreateAsync(factory.CreateClient(), "Adrun", "Zoe", "F", "1975-12-31");

        var verdict = await JudgeAsync(factory, ipp, new InsiTraitsDto("ADRUN_1", "ZOE", "ZOE", "F", "1975-12-31", "63220"), AdrunIns, InsOids.Nir);

        Assert.Equal((InsiVerdictKind.AnswerInvalid, "insi-traits-invalid"), (verdict.Kind, verdict.Rule));
    }

    private static string Key(string matricule13) => PatientJson.InsKey(matricule13);

    private static async Task<InsiVerdict> JudgeAsync(IdentityRefFactory factory, string ipp, InsiTraitsDto answer, string ins, string oid)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var identity = await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.SingleAsync(i => i.Ipp == ipp);
        return (await scope.ServiceProvider.GetRequiredService<InsiAnswerJudge>().JudgeAsync(identity, answer, ins, oid, default)).Verdict;
    }

    private static async Task<string> CreateAsync(HttpClient client, string birthName, string firstNames, string sex, string birthDate, string? ins = null)
    {
        var body = new JsonObject
        {
            ["birthName"] = birthName, ["firstNames"] = firstNames, ["sex"] = sex, ["birthDate"] = birthDate, ["confirmDuplicate"] = true,
        };
        if (ins is not null)
        {
            body["ins"] = new JsonObject { ["value"] = ins, ["oid"] = InsOids.Nir };
        }
        var response = await client.PostAsync("/api/patients", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
