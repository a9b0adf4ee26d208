using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdentityRef.Server.Tests.Support;

/// <summary>Builds patient request bodies: a valid person by default, each test changes what it needs.</summary>
public static class PatientJson
{
    /// <summary>A valid person whose names are unique to the test run (letters only, as INS names are).</summary>
    public static JsonObject Valid(string? birthName = null) => new()
    {
        ["birthName"] = birthName ?? "TEST" + UniqueLetters(),
        ["firstNames"] = "Jean-Pierre Marie",
        ["birthDate"] = "1975-04-12",
        ["sex"] = "M",
        ["birthPlaceCode"] = "75112",
        ["usedName"] = "Martin",
        ["address"] = "12 rue des Lilas",
        ["postcode"] = "75012",
        ["city"] = "Paris",
        ["phone"] = "01 23 45 67 89",
        ["email"] = "jp@example.org",
    };

    public static JsonObject With(this JsonObject body, string field, JsonNode? value)
    {
        var copy = body.DeepClone().AsObject();
        copy[field] = value;
        return copy;
    }

    public static JsonObject Without(this JsonObject body, string field)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove(field);
        return copy;
    }

    public static StringContent Content(this JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>The body of a response that must be a success; the status and body in the failure otherwise.</summary>
    public static async Task<JsonObject> ReadOkObjectAsync(this HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadObjectAsync();
    }

    /// <summary>The two-digit key of a 13-character INS matricule (to build test INS for the INSi simulator).</summary>
    public static string InsKey(string matricule13) =>
        IdentityRef.Domain.Ins.InsNumber.ComputeKey(matricule13).ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<JsonArray> ReadArrayAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonArray>())!;

    /// <summary>The field names a 400 ProblemDetails reports.</summary>
    public static async Task<IReadOnlyList<string>> ErrorFieldsAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
    }

    /// <summary>Letters only, unique: a GUID's hex digits read as A–P.</summary>
    public static string UniqueLetters() => new(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('A' + Convert.ToInt32(c.ToString(), 16))).ToArray());

    /// <summary>The request body of an identity read from the API: its traits only.</summary>
    public static JsonObject TraitsOf(JsonObject read)
    {
        var body = new JsonObject();
        foreach (var field in new[] { "birthName", "firstNames", "birthDate", "sex", "birthPlaceCode", "usedName", "usedFirstName", "address", "postcode", "city", "phone", "email" })
        {
            body[field] = read[field]?.DeepClone();
        }
        return body;
    }

    /// <summary>Reads the identity, applies <paramref name="change"/> to its traits and saves them with its ETag; asserts 200.</summary>
    public static async Task UpdateAsync(HttpClient client, string ipp, Func<JsonObject, JsonObject> change)
    {
        var current = await client.GetAsync($"/api/patients/{ipp}");
        var read = JsonNode.Parse(await current.Content.ReadAsStringAsync())!.AsObject();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/patients/{ipp}") { Content = change(TraitsOf(read)).Content() };
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        var response = await client.SendAsync(request);
        Xunit.Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"update of {ipp}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
