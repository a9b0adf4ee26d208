using System.Net;
using System.Text.Json.Nodes;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Merges;
using IdentityRef.Domain.Identities;
using IdentityRef.Hl7;
using IdentityRef.Persistence;
using IdentityRef.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Broadcast;

/// <summary>
/// Undoing a merge that had made the survivor qualified with the merged identity's INS: the receivers hold that INS on the
/// survivor since the A40, and only an A47 takes an INS back (PAM FR §4.4).
/// </summary>
public sealed class MergeUndoInsTests
{
    private const string Nir = "297022A02077878";

    /// <summary>
    /// A qualified identity (INS X) merged into a provisional look-alike: the survivor takes X and the A40 hands X on for the
    /// survivor's IPP. Undoing the merge gives X back to the revived identity (A28 with X) and leaves the survivor without any
    /// INS: without an A47 the receivers would keep X on the survivor, and hold it on two patients once the A28 arrives.
    /// </summary>
    [Fact]
    public async Task UndoOfAMergeThatGaveTheSurvivorAQualifiedIns_TakesItBackAtTheReceivers_BeforeTheRevivedIdentityBringsIt()
    {
        using var factory = new IdentityRefFactory(DatabaseProvider.Sqlite);
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/subscriptions", new JsonObject
        {
            ["name"] = "DPI", ["host"] = "127.0.0.1", ["port"] = 9, ["receivingApplication"] = "DPI", ["receivingFacility"] = "HOPITAL",
        }.Content())).StatusCode);

        var qualified = await CreateAsync(client, new JsonObject { ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{qualified}/insi/search", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{qualified}/insi/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/patients/{qualified}/documents", new JsonObject { ["type"] = "PA" }.Content())).StatusCode);
        var survivorIpp = await CreateAsync(client, new JsonObject
        {
            ["birthName"] = "Adrtrois", ["firstNames"] = "Dominique", ["birthDate"] = "1997-02-26", ["sex"] = "F", ["birthPlaceCode"] = "2A020",
        });

        long mergeId;
        Guid survivorId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var survivor = await db.Identities.SingleAsync(i => i.Ipp == survivorIpp);
            var merged = await db.Identities.SingleAsync(i => i.Ipp == qualified);
            var merge = await scope.ServiceProvider.GetRequiredService<MergeService>().MergeAsync(survivor, merged,
                new Actor("test", Guid.NewGuid().ToString("N")), null, CancellationToken.None);
            mergeId = merge.Id;
            survivorId = survivor.Id;
            Assert.Equal("QUAL", survivor.Status.Code());
        }
        long lastBeforeUndo;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var a40 = await db.Outbox.AsNoTracking().Where(m => m.Event == "A40").OrderBy(m => m.Id).LastAsync();
            var a40Pid = Hl7Parser.Parse(a40.Payload).Message!.Pid()!.Value;
            Assert.Contains(a40Pid.Identifiers, i => i.IdentifierTypeCode == "INS" && i.Id == Nir); // receivers now hold X on the survivor
            lastBeforeUndo = await db.Outbox.MaxAsync(m => m.Id);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/merges/{mergeId}/undo", null)).StatusCode);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            var survivor = await db.Identities.AsNoTracking().SingleAsync(i => i.Id == survivorId);
            Assert.Null(survivor.InsValue); // the survivor no longer holds X here
            var after = (await db.Outbox.AsNoTracking().Where(m => m.Id > lastBeforeUndo).OrderBy(m => m.Id).ToListAsync())
                .Select(m => (m.Event, m.IdentityId, Message: Hl7Parser.Parse(m.Payload).Message!)).ToList();
            var described = string.Join(" | ", after.Select(m => $"{m.Event} PID-3={m.Message.Pid()!.Value.Segment.Field(3)} PID-32={m.Message.Pid()!.Value.Segment.Field(32)}"));
            // What the receivers must get for the survivor: X deleted (A47, MRG-1 = X, no INS in PID-3), before the revived
            // identity's A28 brings X back under its own IPP; and no later message gives X to the survivor again.
            var a47 = after.FindIndex(m => m.IdentityId == survivorId && m.Event == "A47"
                && m.Message.Segments.Any(s => s.Name == "MRG" && s.Get(1, 1, 1) == Nir));
            Assert.True(a47 >= 0, "no A47 withdraws the INS from the survivor after the undo; sent: " + described);
            // PID-3 carries the INS authority with an HL7 null (""): PAM FR's deletion
            Assert.DoesNotContain(after[a47].Message.Pid()!.Value.Identifiers, i => i.IdentifierTypeCode == "INS" && !i.IsNullId);
            var a28 = after.FindIndex(m => m.Event == "A28" && m.IdentityId != survivorId);
            Assert.True(a28 > a47, "the revived identity's A28 must follow the survivor's A47; sent: " + described);
            Assert.Contains(after[a28].Message.Pid()!.Value.Identifiers, i => i.IdentifierTypeCode == "INS" && i.Id == Nir);
            Assert.DoesNotContain(after.Where(m => m.IdentityId == survivorId && m.Event != "A47"),
                m => m.Message.Pid()!.Value.Identifiers.Any(i => i.IdentifierTypeCode == "INS" && !i.IsNullId));
        }
    }

    private static async Task<string> CreateAsync(HttpClient client, JsonObject person)
    {
        var response = await client.PostAsync("/api/patients", person.With("confirmDuplicate", true).Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["ipp"]!;
    }
}
