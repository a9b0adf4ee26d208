using System.Globalization;
using System.Text;
using IdentityRef.Domain.Identities;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Application.Quality;

/// <summary>
/// One month of the trends, in the server's time zone. <see cref="Created"/>: identities created at a desk or through the API
/// (imports and demonstration data excluded); <see cref="ConfirmedDuplicates"/>: those of them merged since into another
/// identity (a duplicate that was created); <see cref="Qualified"/>: identities that reached QUAL that month here (identities
/// loaded already qualified do not count); <see cref="MessagesWithIns"/>: outgoing messages carrying an INS.
/// </summary>
public sealed record MonthTrend(DateOnly Month, int Created, int ConfirmedDuplicates, int Qualified, int PairsDetected, int Merges, int MessagesSent,
    int MessagesWithIns)
{
    public double? DuplicateRate => Created == 0 ? null : (double)ConfirmedDuplicates / Created;
    public double? InsShare => MessagesSent == 0 ? null : (double)MessagesWithIns / MessagesSent;
}

/// <summary>
/// The identity-vigilance indicators a director and the regional network ask for, at <see cref="At"/>: INS rate (RECUP + QUAL over
/// active identities, the regional "IN-INSI" style indicator), qualification rate, share of outgoing messages carrying an INS
/// (over the messages still kept: acknowledged ones are purged after the retention), work waiting, and 12 months of trends.
/// </summary>
public sealed record IndicatorsView(
    DateTimeOffset At,
    int Active,
    IReadOnlyList<(IdentityStatus Status, int Count)> ByStatus,
    int PendingInsiAnswers,
    int DoubtfulOrFictitious,
    int MessagesKept,
    int MessagesKeptWithIns,
    IReadOnlyList<MonthTrend> Months)
{
    private int Count(params IdentityStatus[] statuses) => ByStatus.Where(s => statuses.Contains(s.Status)).Sum(s => s.Count);

    /// <summary>(RECUP + QUAL) / active identities; 0 when there are none.</summary>
    public double InsRate => Active == 0 ? 0 : (double)Count(IdentityStatus.Recup, IdentityStatus.Qual) / Active;

    /// <summary>QUAL / active identities; 0 when there are none.</summary>
    public double QualificationRate => Active == 0 ? 0 : (double)Count(IdentityStatus.Qual) / Active;

    public double? MessagesInsShare => MessagesKept == 0 ? null : (double)MessagesKeptWithIns / MessagesKept;
}

/// <summary>An identity listed behind a dashboard figure (INSi answers awaiting a decision, doubtful or fictitious identities).</summary>
public sealed record ListedIdentity(string Ipp, string BirthName, string FirstName, DateOnly BirthDate, string Status, string StatusLabel, DateTimeOffset Since,
    string Detail);

/// <summary>Computes the dashboard's indicators and the lists behind them; <see cref="Csv"/> is the export for quality meetings.</summary>
public sealed class QualityIndicators(IdentityRefDbContext db, TimeProvider clock)
{
    public const int MonthsShown = 12;

    /// <summary>The audit actions of identities that arrive already made (their status was not reached here).</summary>
    private static readonly string[] LoadedActions = ["identity.seeded", "identity.imported"];

    /// <summary>The OID arc of the INS (NIR, NIA and their test authorities): ASCII in every charset a subscriber may use.</summary>
    private static readonly byte[] InsOidArc = Encoding.ASCII.GetBytes("1.2.250.1.213.1.4.");

    public async Task<IndicatorsView> ComputeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var zone = clock.LocalTimeZone;
        var thisMonth = MonthOf(now, zone);
        var firstMonth = thisMonth.AddMonths(1 - MonthsShown);
        var since = new DateTimeOffset(firstMonth.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(-1); // a day of margin for the zone

        var active = db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null);
        var counts = await active.GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byStatus = Enum.GetValues<IdentityStatus>().Select(s => (s, counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0)).ToList();
        var flagged = (int)(IdentityAttributes.Douteuse | IdentityAttributes.Fictive);
        var doubtful = await active.CountAsync(i => ((int)i.Attributes & flagged) != 0, ct);
        var pending = await PendingInsiQuery().CountAsync(ct);

        var created = await db.AuditTrail.AsNoTracking().Where(a => a.Action == "identity.created" && a.At >= since && a.IdentityId != null)
            .Select(a => new { a.IdentityId, a.At }).ToListAsync(ct);
        // A duplicate created in the window was merged after its creation: merges of the window are enough.
        var merges = await db.Merges.AsNoTracking().Where(m => m.UndoneAt == null && m.MergedAt >= since).Select(m => new { m.MergedId, m.MergedAt }).ToListAsync(ct);
        var mergedIds = merges.Select(m => m.MergedId).ToHashSet();
        var qualified = await db.AuditTrail.AsNoTracking()
            .Where(a => a.At >= since && a.After != null && a.After.Contains("\"status\":\"QUAL\"") && !LoadedActions.Contains(a.Action))
            .Select(a => a.At).ToListAsync(ct);
        var pairs = await db.DuplicateItems.AsNoTracking().Where(d => d.CreatedAt >= since && d.IdentityB != null && d.Kind == DuplicateKinds.Duplicate)
            .Select(d => d.CreatedAt).ToListAsync(ct);

        // The outbox keeps messages for its retention only (acknowledged ones are purged): one pass reads them all.
        var messages = new List<(DateOnly Month, bool Ins)>();
        await foreach (var m in db.Outbox.AsNoTracking().Select(m => new { m.CreatedAt, m.Payload }).AsAsyncEnumerable().WithCancellation(ct))
        {
            messages.Add((MonthOf(m.CreatedAt, zone), m.Payload.AsSpan().IndexOf(InsOidArc) >= 0));
        }
        var kept = messages.Count;
        var keptWithIns = messages.Count(m => m.Ins);

        var months = Enumerable.Range(0, MonthsShown).Select(i => firstMonth.AddMonths(i)).Select(month => new MonthTrend(
            month,
            created.Count(c => MonthOf(c.At, zone) == month),
            created.Count(c => MonthOf(c.At, zone) == month && mergedIds.Contains(c.IdentityId!.Value)),
            qualified.Count(at => MonthOf(at, zone) == month),
            pairs.Count(at => MonthOf(at, zone) == month),
            merges.Count(m => MonthOf(m.MergedAt, zone) == month),
            messages.Count(m => m.Month == month),
            messages.Count(m => m.Month == month && m.Ins))).ToList();
        return new IndicatorsView(now, byStatus.Sum(s => s.Item2), byStatus, pending, doubtful, kept, keptWithIns, months);
    }

    /// <summary>Identities with an INSi answer (code 00) awaiting the desk's decision, oldest answer first.</summary>
    public async Task<IReadOnlyList<ListedIdentity>> PendingInsiAnswersAsync(int limit, CancellationToken ct)
    {
        var calls = await PendingInsiQuery().OrderBy(c => c.CalledAt).Take(limit).Select(c => new { c.IdentityId, c.CalledAt, c.Operation }).ToListAsync(ct);
        var ids = calls.Select(c => c.IdentityId).Distinct().ToList();
        var identities = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        return calls.Where(c => identities.ContainsKey(c.IdentityId)).Select(c =>
        {
            var i = identities[c.IdentityId];
            return new ListedIdentity(i.Ipp, i.BirthName, i.FirstName, i.BirthDate, i.Status.Code(), i.Status.Label(), c.CalledAt, c.Operation);
        }).ToList();
    }

    /// <summary>Active identities flagged douteuse or fictive, last changed first.</summary>
    public async Task<IReadOnlyList<ListedIdentity>> DoubtfulOrFictitiousAsync(int limit, CancellationToken ct)
    {
        var flagged = (int)(IdentityAttributes.Douteuse | IdentityAttributes.Fictive);
        var found = await db.Identities.AsNoTracking().Where(i => i.MergedIntoId == null && ((int)i.Attributes & flagged) != 0)
            .OrderByDescending(i => i.UpdatedAt).Take(limit).ToListAsync(ct);
        return found.Select(i => new ListedIdentity(i.Ipp, i.BirthName, i.FirstName, i.BirthDate, i.Status.Code(), i.Status.Label(), i.UpdatedAt,
            i.Attributes.HasFlag(IdentityAttributes.Fictive) ? "fictive" : "douteuse")).ToList();
    }

    private IQueryable<InsiCall> PendingInsiQuery() =>
        db.InsiCalls.AsNoTracking().Where(c => c.Outcome == "00" && c.Decision == null);

    /// <summary>
    /// The export for quality meetings and certification: one row per figure (<c>indicateur;periode;valeur</c>), semicolons and
    /// decimal commas as a French spreadsheet expects, UTF-8 with its mark. Rates are fractions (0,452), empty when undefined.
    /// </summary>
    public static byte[] Csv(IndicatorsView v, TimeZoneInfo zone)
    {
        var fr = CultureInfo.GetCultureInfo("fr-FR");
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(v.At, zone).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var text = new StringBuilder("indicateur;periode;valeur\r\n");
        void Row(string name, string period, double? value, string format = "0.####") =>
            text.Append(name).Append(';').Append(period).Append(';').Append(value?.ToString(format, fr) ?? "").Append("\r\n");
        Row("identites_actives", day, v.Active, "0");
        foreach (var (status, count) in v.ByStatus)
        {
            Row("identites_" + status.Code().ToLowerInvariant(), day, count, "0");
        }
        Row("taux_ins", day, v.InsRate);
        Row("taux_qualification", day, v.QualificationRate);
        Row("reponses_insi_en_attente", day, v.PendingInsiAnswers, "0");
        Row("identites_douteuses_ou_fictives", day, v.DoubtfulOrFictitious, "0");
        Row("part_messages_conserves_avec_ins", day, v.MessagesInsShare);
        foreach (var m in v.Months)
        {
            var month = m.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            Row("identites_creees", month, m.Created, "0");
            Row("doublons_crees_confirmes", month, m.ConfirmedDuplicates, "0");
            Row("taux_doublons_crees", month, m.DuplicateRate);
            Row("identites_qualifiees", month, m.Qualified, "0");
            Row("paires_detectees", month, m.PairsDetected, "0");
            Row("fusions", month, m.Merges, "0");
            Row("messages_emis", month, m.MessagesSent, "0");
            Row("messages_avec_ins", month, m.MessagesWithIns, "0");
            Row("part_messages_avec_ins", month, m.InsShare);
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static DateOnly MonthOf(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return new DateOnly(local.Year, local.Month, 1);
    }
}
