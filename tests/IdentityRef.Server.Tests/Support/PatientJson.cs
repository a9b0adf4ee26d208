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
}
