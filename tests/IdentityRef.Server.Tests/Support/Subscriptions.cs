using System.Net;
using System.Text.Json.Nodes;

namespace IdentityRef.Server.Tests.Support;

/// <summary>Subscribes a downstream system through the API, as an integrator does.</summary>
public static class Subscriptions
{
    /// <summary>
    /// <c>POST /api/subscriptions</c> for <paramref name="name"/> at 127.0.0.1:<paramref name="port"/>, taking <paramref name="events"/>
    /// (none: the mandatory events only); returns the subscription's id.
    /// </summary>
    public static async Task<string> CreateAsync(HttpClient client, string name, int port, params string[] events)
    {
        var body = new JsonObject
        {
            ["name"] = name, ["host"] = "127.0.0.1", ["port"] = port, ["receivingApplication"] = name, ["receivingFacility"] = "HOPITAL",
            ["charset"] = "UNICODE UTF-8",
        };
        if (events.Length > 0)
        {
            body["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]);
        }
        var response = await client.PostAsync("/api/subscriptions", body.Content());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())["id"]!;
    }

    /// <summary>Every event, the optional link/unlink included.</summary>
    public static readonly string[] AllEvents = ["A28", "A31", "A47", "A40", "A24", "A37"];
}
