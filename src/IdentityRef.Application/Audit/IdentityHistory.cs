using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IdentityRef.Domain.Ins;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Audit;

/// <summary>One line of an identity's audit trail, its fields before and after as the reader may see them.</summary>
public sealed record HistoryEntry(long Id, string Action, string Actor, DateTimeOffset At, string CorrelationId,
    Dictionary<string, string?>? Before, Dictionary<string, string?>? After, string? Details);

/// <summary>
/// The audit trail of one identity, for the API and the identity page alike. The trail keeps every INS an identity held,
/// including one withdrawn as wrongly attributed — another person's INS: it is shown only to the identity vigilance cell,
/// whose work it is (<c>showIns</c>: the <c>duplicates</c> policy); everyone else reads it masked, whatever the status: in the
/// fields before and after, and in the details (a query line keeps the parameters it was asked with, an INS among them).
/// </summary>
public sealed partial class IdentityHistory(IdentityRefDbContext db)
{
    public const string Masked = "(masqué)";

    private static readonly string[] InsFields = ["ins", "insHistory"];

    public async Task<IReadOnlyList<HistoryEntry>> ReadAsync(Guid identityId, bool showIns, bool newestFirst, CancellationToken cancellationToken)
    {
        var query = db.AuditTrail.AsNoTracking().Where(a => a.IdentityId == identityId);
        var entries = await (newestFirst ? query.OrderByDescending(a => a.Id) : query.OrderBy(a => a.Id)).ToListAsync(cancellationToken);
        return [.. entries.Select(e => new HistoryEntry(e.Id, e.Action, e.Actor, e.At, e.CorrelationId, Fields(e.Before, showIns), Fields(e.After, showIns),
            showIns ? e.Details : MaskIns(e.Details)))];
    }

    private static readonly string[] InsMarks = [InsOids.Nir, InsOids.Nia, InsOids.TestNir, InsOids.DemoNir, "ASIP-SANTE-INS"];

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The details with every INS masked: a number of an INS's shape (15 characters, the department may be 2A/2B) wherever it
    /// stands, and the whole value of a string that names an INS authority without such a number. Unchanged when there is none.
    /// </summary>
    public static string? MaskIns(string? details)
    {
        if (details is null)
        {
            return null;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(details);
        }
        catch (JsonException)
        {
            return InsShaped().Replace(details, Masked); // details are JSON; should one not be, its INS are masked all the same
        }
        if (root is null)
        {
            return details;
        }
        var masked = false;
        // A string's masked text, or null when it carries no INS.
        string? Hide(JsonNode? node)
        {
            if (node is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                return null;
            }
            var hidden = InsShaped().Replace(text, Masked);
            if (hidden == text && InsMarks.Any(m => text.Contains(m, StringComparison.OrdinalIgnoreCase)))
            {
                hidden = Masked;
            }
            return hidden == text ? null : hidden;
        }
        void Walk(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (Hide(o[key]) is { } hidden)
                    {
                        o[key] = hidden;
                        masked = true;
                    }
                    else
                    {
                        Walk(o[key]);
                    }
                }
            }
            else if (node is JsonArray a)
            {
                for (var i = 0; i < a.Count; i++)
                {
                    if (Hide(a[i]) is { } hidden)
                    {
                        a[i] = hidden;
                        masked = true;
                    }
                    else
                    {
                        Walk(a[i]);
                    }
                }
            }
        }
        if (Hide(root) is { } whole)
        {
            return JsonSerializer.Serialize(whole, Unescaped);
        }
        Walk(root);
        return masked ? root.ToJsonString(Unescaped) : details;
    }

    [GeneratedRegex("(?<![0-9A-Za-z])[1-8][0-9]{4}(?:[0-9]{2}|2[AaBb])[0-9]{8}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex InsShaped();

    private static Dictionary<string, string?>? Fields(string? json, bool showIns)
    {
        if (json is null)
        {
            return null;
        }
        var fields = JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];
        if (!showIns)
        {
            foreach (var field in InsFields.Where(f => !string.IsNullOrEmpty(fields.GetValueOrDefault(f))))
            {
                fields[field] = Masked;
            }
        }
        return fields;
    }
}
