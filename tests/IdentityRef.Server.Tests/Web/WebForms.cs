using System.Net;
using System.Text.RegularExpressions;

namespace IdentityRef.Server.Tests;

/// <summary>Drives the web interface's forms over HTTP as a browser would: read the page, take its antiforgery token, post.</summary>
public static partial class WebForms
{
    public const string TokenField = "__csrf";

    public static async Task<string> TokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, $"no antiforgery token on {page}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, IDictionary<string, string> fields, string? action = null)
    {
        var token = await TokenAsync(client, page);
        var all = new Dictionary<string, string>(fields) { [TokenField] = token };
        return await client.PostAsync(action ?? page, new FormUrlEncodedContent(all));
    }

    /// <summary>The value of the hidden field <paramref name="name"/> on <paramref name="page"/>, as a browser would post it back.</summary>
    public static async Task<string> HiddenAsync(HttpClient client, string page, string name)
    {
        var html = await client.GetStringAsync(page);
        var match = Regex.Match(html, $"type=\"hidden\" name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"|name=\"{Regex.Escape(name)}\" type=\"hidden\" value=\"([^\"]*)\"");
        Assert.True(match.Success, $"no hidden field {name} on {page}");
        return WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
    }

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password) =>
        PostAsync(client, "/connexion", new Dictionary<string, string> { ["UserName"] = user, ["Password"] = password });

    [GeneratedRegex("name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
