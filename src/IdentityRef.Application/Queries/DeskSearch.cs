using IdentityRef.Application.Patients;
using System.Globalization;
using System.Text.RegularExpressions;
using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Queries;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Traits;
using IdentityRef.Matching;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Queries;

/// <summary>What the one search box understood the text to be.</summary>
public enum DeskQueryKind
{
    /// <summary>Nothing to look for.</summary>
    Empty,

    /// <summary>An identifier: our IPP (a merged one leads to its survivor), a shareable INS, another system's identifier.</summary>
    Identifier,

    /// <summary>A name, perhaps with a first name (the last word) and a birth date.</summary>
    Name,
}

/// <summary>How an identity was found by a name search: by its spelling (punctuation ignored) or only by its sound.</summary>
public enum DeskMatch
{
    /// <summary>By an identifier (IPP, INS, another system's).</summary>
    Identifier,

    Spelling,
    Sound,
}

/// <summary>One line of the answer.</summary>
public sealed record DeskHit(Identity Identity, DeskMatch Match);

/// <summary>
/// The answer of the search box: one page of identities, how many there are in all (<see cref="Capped"/> when the
/// count stopped at <see cref="DeskSearch.MaxHits"/>), and what the text was read as: the name, first name and date
/// the creation form is prefilled with.
/// </summary>
public sealed record DeskSearchResult(
    DeskQueryKind Kind,
    IReadOnlyList<DeskHit> Items,
    int Total,
    bool Capped,
    int Page,
    int PageCount,
    string? Name,
    string? FirstName,
    DateOnly? BirthDate,
    string? DateError)
{
    public static DeskSearchResult Empty { get; } = new(DeskQueryKind.Empty, [], 0, false, 1, 0, null, null, null, null);
}

/// <summary>
/// The admission desk's one search box (<c>/identites?q=</c>). The text is read as:
/// <list type="bullet">
/// <item>an identifier when it holds digits and no date: the IPP, the INS (found only for a qualified identity, as every
/// other query of the server: asking by an INS we may not hand on must not reveal that we hold it) or another system's
/// identifier kept by the imports and the inbound feed — the same resolution as PDQ and PIX;</item>
/// <item>otherwise a name, with an optional birth date (<c>JJ/MM/AAAA</c> or <c>AAAA-MM-JJ</c>) anywhere in it: the
/// words are read as the name and, when there are two or more, also as a name followed by a first name. A name is
/// found by its spelling with the punctuation and spaces ignored (<c>darc</c> and <c>d arc</c> find
/// <c>D'ARC-DUPONT</c>), by any of its parts (<c>dupont</c>), and — with a first name or a date, which the
/// matcher's blocking keys need — by its sound (Soundex2) or a close spelling (Jaro-Winkler), over the same
/// indexed keys as check-before-create.</item>
/// </list>
/// Spelling matches come first, then sound matches; each by name, first name, IPP.
/// </summary>
public sealed partial class DeskSearch(IdentityRefDbContext db, IdentityQueries queries, TimeProvider clock)
{
    /// <summary>At most this many identities are counted and paged through (the desk refines its search past it).</summary>
    public const int MaxHits = 1000;

    /// <summary>Two names whose Jaro-Winkler similarity reaches this are close spellings.</summary>
    public const double CloseSpelling = 0.88;

    public async Task<DeskSearchResult> SearchAsync(string? text, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var query = Read(text, DateOnly.FromDateTime(clock.GetLocalNow().DateTime));
        if (query.Kind == DeskQueryKind.Empty)
        {
            return DeskSearchResult.Empty;
        }
        page = Math.Max(1, page);
        var byIdentifier = new Dictionary<Guid, Identity>();
        foreach (var value in query.Identifiers)
        {
            var (items, _) = await queries.SearchAsync(new DemographicsQuery { Identifiers = [new IdentifierCriterion(null, value)] }, 0, MaxHits, cancellationToken);
            foreach (var identity in items)
            {
                byIdentifier.TryAdd(identity.Id, identity);
            }
        }
        if (query.Kind == DeskQueryKind.Identifier)
        {
            var hits = byIdentifier.Values.OrderBy(i => i.BirthName, StringComparer.Ordinal).ThenBy(i => i.Ipp, StringComparer.Ordinal)
                .Select(i => new DeskHit(i, DeskMatch.Identifier)).ToList();
            return Paged(query, hits.Count, false, page, pageSize, hits.Skip((page - 1) * pageSize).Take(pageSize).ToList());
        }
        if (query.DateError is not null)
        {
            return DeskSearchResult.Empty with { Kind = DeskQueryKind.Name, DateError = query.DateError };
        }

        // Spelling: compact prefix or a part of the name, for both readings of the words.
        var ranked = new Dictionary<Guid, (DeskMatch Match, string Name, string First, string Ipp)>();
        // A single word may be another system's identifier made of letters only: such a hit comes first.
        foreach (var identity in byIdentifier.Values)
        {
            ranked[identity.Id] = (DeskMatch.Identifier, identity.BirthName, identity.FirstName, identity.Ipp);
        }
        void Add(IEnumerable<Row> rows, DeskMatch match)
        {
            foreach (var row in rows)
            {
                if (!ranked.ContainsKey(row.Id))
                {
                    ranked[row.Id] = (match, row.BirthName, row.FirstName, row.Ipp);
                }
            }
        }
        Add(await SpellingAsync(query.WholeName, null, query.BirthDate, cancellationToken), DeskMatch.Spelling);
        if (query.SplitName is { } split)
        {
            Add(await SpellingAsync(split.Name, split.First, query.BirthDate, cancellationToken), DeskMatch.Spelling);
        }
        // Sound: the matcher's blocking keys (they need a first name or a date).
        if (ranked.Count < MaxHits)
        {
            if (query.SplitName is { } s)
            {
                Add(await SoundAsync(s.Name, s.First, query.BirthDate, cancellationToken), DeskMatch.Sound);
            }
            if (query.BirthDate is not null)
            {
                Add(await SoundAsync(query.WholeName, null, query.BirthDate, cancellationToken), DeskMatch.Sound);
            }
        }
        var ordered = ranked.OrderBy(r => r.Value.Match).ThenBy(r => r.Value.Name, StringComparer.Ordinal).ThenBy(r => r.Value.First, StringComparer.Ordinal)
            .ThenBy(r => r.Value.Ipp, StringComparer.Ordinal).Take(MaxHits).ToList();
        var pageRows = ordered.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var ids = pageRows.Select(r => r.Key).ToList();
        var identities = ids.Count == 0 ? [] : await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, cancellationToken);
        var pageHits = pageRows.Where(r => identities.ContainsKey(r.Key)).Select(r => new DeskHit(identities[r.Key], r.Value.Match)).ToList();
        return Paged(query, ordered.Count, ranked.Count > MaxHits, page, pageSize, pageHits);
    }

    private static DeskSearchResult Paged(ParsedQuery query, int total, bool capped, int page, int pageSize, IReadOnlyList<DeskHit> items) => new(
        query.Kind, items, total, capped, page, Math.Max(1, (total + pageSize - 1) / pageSize),
        query.SplitName?.Name ?? (query.Kind == DeskQueryKind.Name ? query.WholeName : null), query.SplitName?.First, query.BirthDate, null);

    private sealed record Row(Guid Id, string BirthName, string FirstName, string Ipp);

    private async Task<List<Row>> SpellingAsync(string name, string? first, DateOnly? date, CancellationToken cancellationToken)
    {
        var compact = NameText.Compact(name);
        if (compact.Length == 0)
        {
            return [];
        }
        // A part of a compound name: " DUPONT" inside " D ARC DUPONT" (hyphens and apostrophes read as spaces).
        var part = " " + NameText.Canonical(name);
        var identities = db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null);
        identities = identities.Where(i =>
            i.BirthName.Replace("'", "").Replace("-", "").Replace(" ", "").StartsWith(compact)
            || (" " + i.BirthName.Replace("'", " ").Replace("-", " ")).Contains(part)
            || (i.UsedName != null && (i.UsedName.Replace("'", "").Replace("-", "").Replace(" ", "").StartsWith(compact)
                || (" " + i.UsedName.Replace("'", " ").Replace("-", " ")).Contains(part))));
        if (first is not null)
        {
            var firstCompact = NameText.Compact(first);
            var firstPart = " " + NameText.Canonical(first);
            identities = identities.Where(i => i.FirstName.Replace("'", "").Replace("-", "").Replace(" ", "").StartsWith(firstCompact)
                || (" " + i.FirstNames.Replace("'", " ").Replace("-", " ")).Contains(firstPart)
                || (i.UsedFirstName != null && i.UsedFirstName.Replace("'", "").Replace("-", "").Replace(" ", "").StartsWith(firstCompact)));
        }
        if (date is { } d)
        {
            identities = identities.Where(i => i.BirthDate == d);
        }
        return await identities.OrderBy(i => i.BirthName).ThenBy(i => i.FirstName).ThenBy(i => i.Ipp).Take(MaxHits + 1)
            .Select(i => new Row(i.Id, i.BirthName, i.FirstName, i.Ipp)).ToListAsync(cancellationToken);
    }

    private async Task<List<Row>> SoundAsync(string name, string? first, DateOnly? date, CancellationToken cancellationToken)
    {
        var probe = new MatchRecord("probe", NameText.Canonical(name), first is null ? [] : [NameText.Canonical(first)], BirthDate: date);
        var keys = IdentityMatching.KeyHashes(probe);
        if (keys.Count == 0)
        {
            return [];
        }
        var rows = await MatchRows.ByKeysAsync(db, keys, cancellationToken);
        var kept = rows.Where(r => NameSounds(name, r.BirthName, r.UsedName)
                && (first is null || FirstNameSounds(first, r.FirstNames, r.UsedFirstName))
                && (date is not { } d || r.BirthDate == d || (r.BirthDate.Year == d.Year && r.BirthDate.Month == d.Day && r.BirthDate.Day == d.Month)))
            .Select(r => r.Id).Take(MaxHits + 1).ToList();
        if (kept.Count == 0)
        {
            return [];
        }
        var found = new List<Row>();
        foreach (var chunk in kept.Chunk(500))
        {
            found.AddRange(await db.Identities.AsNoTracking().Where(i => chunk.Contains(i.Id))
                .Select(i => new Row(i.Id, i.BirthName, i.FirstName, i.Ipp)).ToListAsync(cancellationToken));
        }
        return found;
    }

    /// <summary>Whether a name typed at the desk sounds like, or is spelt close to, a stored name or one of its parts.</summary>
    public static bool NameSounds(string typed, string birthName, string? usedName)
    {
        var compact = NameText.Compact(typed);
        if (compact.Length == 0)
        {
            return false;
        }
        var sound = Soundex2.Encode(compact);
        foreach (var stored in new[] { birthName, usedName })
        {
            if (string.IsNullOrEmpty(stored))
            {
                continue;
            }
            var candidates = NameText.Parts(stored).Append(NameText.Compact(stored));
            if (candidates.Any(c => Soundex2.Encode(c) == sound || JaroWinkler.Similarity(c, compact) >= CloseSpelling))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether a first name typed at the desk sounds like, or is spelt close to, one of the stored first names.</summary>
    public static bool FirstNameSounds(string typed, string firstNames, string? usedFirstName)
    {
        var compact = NameText.Compact(typed);
        if (compact.Length == 0)
        {
            return false;
        }
        var sound = Soundex2.Encode(compact);
        var candidates = IdentityMatching.SplitFirstNames(firstNames).Select(NameText.Compact).Append(NameText.Compact(usedFirstName));
        return candidates.Where(c => c.Length > 0)
            .Any(c => c.StartsWith(compact, StringComparison.Ordinal) || Soundex2.Encode(c) == sound || JaroWinkler.Similarity(c, compact) >= CloseSpelling);
    }

    /// <summary>The text as the search box reads it.</summary>
    internal sealed record ParsedQuery(DeskQueryKind Kind, IReadOnlyList<string> Identifiers, string WholeName, (string Name, string First)? SplitName,
        DateOnly? BirthDate, string? DateError);

    internal static ParsedQuery Read(string? text, DateOnly today)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return new ParsedQuery(DeskQueryKind.Empty, [], "", null, null, null);
        }
        var words = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dates = words.Where(w => DeskDates.LooksLikeDate(w)).ToList();
        if (dates.Count == 0 && trimmed.Any(char.IsAsciiDigit))
        {
            // An INS is often typed in groups ("1 85 07 75 …"): try it without spaces too.
            var compact = string.Concat(words);
            return new ParsedQuery(DeskQueryKind.Identifier, compact == trimmed ? [trimmed] : [trimmed, compact], "", null, null, null);
        }
        DateOnly? birthDate = null;
        string? dateError = null;
        if (dates.Count > 0)
        {
            var parsed = BirthDate.Parse(DeskDates.ToIso(dates[0]), today);
            if (parsed.IsSuccess)
            {
                birthDate = parsed.Value.Value;
            }
            else
            {
                dateError = parsed.Errors[0].Code;
            }
        }
        var nameWords = words.Where(w => !DeskDates.LooksLikeDate(w)).Select(w => NameText.Canonical(w)).Where(w => w.Length > 0).ToList();
        if (nameWords.Count == 0)
        {
            return new ParsedQuery(birthDate is null && dateError is null ? DeskQueryKind.Empty : DeskQueryKind.Name, [], "", null, birthDate, dateError);
        }
        var whole = string.Join(' ', nameWords);
        var single = words.Length == 1 ? [trimmed] : Array.Empty<string>();
        (string, string)? split = nameWords.Count >= 2 ? (string.Join(' ', nameWords.Take(nameWords.Count - 1)), nameWords[^1]) : null;
        return new ParsedQuery(DeskQueryKind.Name, single, whole, split, birthDate, dateError);
    }
}

/// <summary>
/// Birth dates as the desk types them: <c>JJ/MM/AAAA</c> (also with <c>-</c> or <c>.</c>; <c>00</c> for an unknown day or
/// month) and the ISO <c>AAAA-MM-JJ</c> of the API. The domain validates the ISO form; this only turns the French one into it.
/// </summary>
public static partial class DeskDates
{
    public static bool LooksLikeDate(string text) => French().IsMatch(text.Trim()) || Iso().IsMatch(text.Trim());

    /// <summary>The ISO form of a French date; anything else unchanged (the validation then names its error).</summary>
    public static string? ToIso(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var match = French().Match(text.Trim());
        return match.Success
            ? $"{match.Groups[3].Value}-{match.Groups[2].Value.PadLeft(2, '0')}-{match.Groups[1].Value.PadLeft(2, '0')}"
            : text;
    }

    /// <summary>A stored date in the desk's form: <c>14/07/1985</c>.</summary>
    public static string ToFrench(DateOnly date) => date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex French();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso();
}
