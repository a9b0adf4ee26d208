using IdentityRef.Application.Inbound;
using System.Text;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Persistence;
using IdentityRef.Server.Inbound;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Inbound;

/// <summary>The inbound ITI-30 listener end to end, over a real MLLP socket.</summary>
public sealed class InboundFeedTests
{
    private static readonly string Examples = Path.Combine(RepositoryRoot(), "..", "shared", "data", "pam-fr-examples");

    private static IdentityRefFactory Receiver() => new(DatabaseProvider.Sqlite, new Dictionary<string, string?>
    {
        ["Hl7:ReceivingApplication"] = "PatientManager",
        ["Hl7:ReceivingFacility"] = "PAM_FR",
    });

    [Fact]
    public async Task SpecExamples_AreAcknowledgedAndIntegrated_InsLifeCycleIncluded()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);

        // §4.4.1 A31 for an unknown patient inserts it, with the NIR (qualified: VALI)
        var ack = await SendAsync(sender, "01_PAMFR-2.11.2_s4.4.1_ADT-A31_INS-NIA-to-INS-NIR.hl7");
        Assert.Equal("AA", ack.Msa()!.Value.AcknowledgmentCode);
        var identity = await IdentityByCrossReferenceAsync(factory, "1900068");
        Assert.Equal(("DARK", "JEANNE MARIE CECILE", new DateOnly(1960, 5, 30)), (identity.BirthName, identity.FirstNames, identity.BirthDate));
        Assert.Equal("MARIE-CECILE", identity.UsedFirstName);
        Assert.Equal("260058815400233", identity.InsValue); // the NIR, whose key is valid, kept as declared
        Assert.Equal(Domain.Identities.InsSource.Declared, identity.InsSource);

        // §4.4.2 A47 with a new INS whose key is invalid (the example's 260058815400244): integrated, INS dropped, warned
        var changed = await SendAsync(sender, "02_PAMFR-2.11.2_s4.4.2_ADT-A47_modify-INS-NIR.hl7");
        Assert.Equal("AA", changed.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("W", changed.Errs()[0].Segment.Get(4));
        Assert.Equal("260058815400233", (await IdentityByCrossReferenceAsync(factory, "1900068")).InsValue);

        // §4.4.3 A47: INS deleted
        Assert.Equal("AA", (await SendAsync(sender, "03_PAMFR-2.11.2_s4.4.3_ADT-A47_delete-INS.hl7")).Msa()!.Value.AcknowledgmentCode);
        Assert.Null((await IdentityByCrossReferenceAsync(factory, "1900068")).InsValue);

        // A01 is not part of this feed: rejected with 201
        ack = await SendAsync(sender, "05_ANS_PAMFR-2.11.1_ADT-A01_INS-VALI_ZFA-ZFD.hl7", receivingApplication: "PatientManager", receivingFacility: "PAM_FR");
        Assert.Equal("AR", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("201", ack.Errs()[0].Segment.Get(3, 1, 1));
    }

    [Fact]
    public async Task WrongReceiver_IsRejected_BadTraits_GetAeWithTheLocation_AndWriteNothing()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);

        var wrong = await SendAsync(sender, "01_PAMFR-2.11.2_s4.4.1_ADT-A31_INS-NIA-to-INS-NIR.hl7", receivingApplication: "SomeoneElse");
        Assert.Equal("AR", wrong.Msa()!.Value.AcknowledgmentCode);
        Assert.Equal("MSH^1^5", wrong.Errs()[0].Segment.Get(2).Length > 0 ? Location(wrong) : "");

        var text = Read("01_PAMFR-2.11.2_s4.4.1_ADT-A31_INS-NIA-to-INS-NIR.hl7").Replace("|19600530|", "|19601332|", StringComparison.Ordinal);
        var bad = await SendTextAsync(sender, text);
        Assert.Equal("AE", bad.Msa()!.Value.AcknowledgmentCode);
        Assert.StartsWith("PID^1^7", Location(bad), StringComparison.Ordinal);

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>().Identities.CountAsync());
    }

    [Fact]
    public async Task Garbage_GetsAnAckWithErr_NeverACrash()
    {
        using var factory = Receiver();
        await using var sender = await ConnectAsync(factory);
        var answer = await sender.SendAsync(Encoding.UTF8.GetBytes("MSH|^~\\&|X|Y|PatientManager|PAM_FR|2024||ADT^A28^ADT_A05|1|P|2.5\rPID|1||\r"));
        Assert.True(answer.IsAcknowledged);
        var ack = Hl7Parser.Parse(answer.Response!).Message!;
        Assert.Equal("AE", ack.Msa()!.Value.AcknowledgmentCode);
        Assert.NotEmpty(ack.Errs());
    }

    /// <summary>ERR-2 of the first error (warnings, e.g. the missing pseudo PV1 of the spec example, come before it).</summary>
    private static string Location(Hl7Message ack) => ack.Errs().First(e => e.Segment.Get(4) == "E").Segment.Field(2).Repetition(1).ToString();

    private static async Task<MllpClient> ConnectAsync(IdentityRefFactory factory)
    {
        factory.CreateClient();
        var port = await factory.Services.GetRequiredService<InboundFeed>().Port;
        return new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(20) });
    }

    private static Task<Hl7Message> SendAsync(MllpClient client, string file, string? receivingApplication = null, string? receivingFacility = null)
    {
        var text = Read(file);
        if (receivingApplication is not null || receivingFacility is not null)
        {
            var msh = Hl7Parser.Parse(text).Message!.Segments[0];
            var fields = text.Split('\r')[0].Split('|');
            fields[4] = receivingApplication ?? fields[4];
            fields[5] = receivingFacility ?? fields[5];
            text = string.Join('|', fields) + text[text.IndexOf('\r', StringComparison.Ordinal)..];
            Assert.NotNull(msh);
        }
        return SendTextAsync(client, text);
    }

    private static async Task<Hl7Message> SendTextAsync(MllpClient client, string text)
    {
        var result = await client.SendAsync(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsAcknowledged, result.Detail);
        IndependentHl7Check.AssertConform([result.Response!], "the ACK of the inbound listener");
        return Hl7Parser.Parse(result.Response!).Message!;
    }

    private static string Read(string file) =>
        File.ReadAllText(Path.Combine(Examples, file)).Replace("\r\n", "\r", StringComparison.Ordinal).Replace('\n', '\r');

    private static async Task<Domain.Identities.Identity> IdentityByCrossReferenceAsync(IdentityRefFactory factory, string id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
        var identityId = await db.Identifiers.Where(i => i.Value == id).Select(i => i.IdentityId).SingleAsync();
        return await db.Identities.AsNoTracking().SingleAsync(i => i.Id == identityId);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "IdentityRef.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
