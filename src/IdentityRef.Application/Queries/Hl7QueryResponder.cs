using System.Globalization;
using IdentityRef.Application.Audit;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Patients;
using IdentityRef.Domain.Traits;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Pam;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Queries;

/// <summary>
/// PDQ (ITI-21, QBP^Q22 → RSP^K22) and PIX (ITI-9, QBP^Q23 → RSP^K23) over HL7 v2.5. PDQ: the QPD-3 parameters
/// (@PID.3.1 with @PID.3.4.x, @PID.5.1(.1), @PID.5.2, @PID.7, @PID.8, @PID.11.5), a trailing <c>*</c> for "starts
/// with" and <c>*…*</c> for "contains" (exact otherwise), RCP-2 as the quantity limit with a DSC continuation pointer,
/// QPD-8 restricting the domains of PID-3. PIX: QPD-3 the identifier, QPD-4 the domains wanted. Answers OK, NF or AE
/// in QAK-2 with the ERR that ITI-9/ITI-21 give (204 unknown key: an unknown domain, an unknown identifier). Only active
/// identities are returned; a merged identifier resolves to its survivor; PID follows the PAM FR rules of the broadcast
/// (<see cref="PamMapping"/>: the INS only when qualified). Every query is audited.
/// </summary>
public sealed class Hl7QueryResponder(IdentityQueries queries, IdentifierDomains domains, IOptions<IdentityOptions> identityOptions)
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 500;
    private static readonly PamMessageFactory Factory = new();

    public static bool IsPdq(Hl7Message message) => message.MessageType.StartsWith("QBP", StringComparison.Ordinal) && message.TriggerEvent == "Q22";

    public static bool IsPix(Hl7Message message) => message.MessageType.StartsWith("QBP", StringComparison.Ordinal) && message.TriggerEvent == "Q23";

    public async Task<Hl7Message> AnswerAsync(Hl7Message message, Hl7AckOptions ackOptions, CancellationToken cancellationToken)
    {
        var actor = new Actor("hl7:" + (message.Header?.Get(3) is { Length: > 0 } sender ? sender : "unknown"), message.ControlId.Length > 0 ? message.ControlId : Guid.NewGuid().ToString("N"));
        if (message.First("QPD") is not { } qpd)
        {
            return Error(message, null, ackOptions, new Hl7Error(Hl7ErrorCode.RequiredFieldMissing, Hl7Severity.Error, new Hl7Location("QPD", 1), "QPD is required"));
        }
        return IsPix(message)
            ? await PixAsync(message, qpd, actor, ackOptions, cancellationToken)
            : await PdqAsync(message, qpd, actor, ackOptions, cancellationToken);
    }

    private async Task<Hl7Message> PdqAsync(Hl7Message message, Hl7Segment qpd, Actor actor, Hl7AckOptions ackOptions, CancellationToken cancellationToken)
    {
        var query = new DemographicsQuery();
        string? idValue = null, idNamespace = null, idUniversal = null;
        var parameters = new Dictionary<string, string>();
        var field = qpd.Field(3);
        for (var rep = 1; rep <= field.RepetitionCount; rep++)
        {
            var repetition = field.Repetition(rep);
            var name = repetition[1].Trim();
            var value = repetition[2].Trim();
            if (name.Length == 0 && value.Length == 0)
            {
                continue;
            }
            Hl7Error Bad(string why) => new(Hl7ErrorCode.DataTypeError, Hl7Severity.Error, new Hl7Location("QPD", 1, 3, rep, 2), why);
            parameters[name] = value;
            switch (name)
            {
                case "@PID.5.1" or "@PID.5.1.1" or "@PID.5.2":
                    var (text, match) = Wildcard(value);
                    var normalised = InsText.Normalize(text, name, name == "@PID.5.2" ? NameKind.FirstName : NameKind.Name);
                    if (!normalised.IsSuccess || text.Length == 0)
                    {
                        return Error(message, qpd, ackOptions, Bad(name + ": " + (normalised.IsSuccess ? "no value" : normalised.Errors[0].Message)));
                    }
                    query = name == "@PID.5.2" ? query with { Given = new TextCriterion(normalised.Value, match) } : query with { Family = new TextCriterion(normalised.Value, match) };
                    break;
                case "@PID.7" or "@PID.7.1":
                    if (value.Length < 8 || !DateOnly.TryParseExact(value[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                    {
                        return Error(message, qpd, ackOptions, Bad("@PID.7: a date YYYYMMDD"));
                    }
                    query = query with { BirthDate = date };
                    break;
                case "@PID.8":
                    if (SexCodes.Parse(value) is not { IsSuccess: true } sex)
                    {
                        return Error(message, qpd, ackOptions, Bad("@PID.8: M, F or U"));
                    }
                    query = query with { Sex = sex.Value };
                    break;
                case "@PID.11.5" or "@PID.11.5.1":
                    query = query with { Postcode = value.TrimEnd('*') };
                    break;
                case "@PID.3.1" or "@PID.3.1.1":
                    idValue = value;
                    break;
                case "@PID.3.4" or "@PID.3.4.1":
                    idNamespace = value;
                    break;
                case "@PID.3.4.2":
                    idUniversal = value;
                    break;
                default:
                    return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.TableValueNotFound, Hl7Severity.Error, new Hl7Location("QPD", 1, 3, rep, 1),
                        $"the query parameter {name} is not supported"));
            }
        }
        if (idValue is not null)
        {
            IdentifierDomain? domain = null;
            if (idNamespace is not null || idUniversal is not null)
            {
                domain = domains.FromHl7(idNamespace ?? "", idUniversal ?? "");
                if (!await queries.IsKnownAsync(domain, cancellationToken))
                {
                    return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Error, new Hl7Location("QPD", 1, 3, 0, 2), "unknown identifier domain"));
                }
            }
            query = query with { Identifiers = [new IdentifierCriterion(domain, idValue)] };
        }
        if (query.IsEmpty)
        {
            return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.RequiredFieldMissing, Hl7Severity.Error, new Hl7Location("QPD", 1, 3), "give at least one query parameter"));
        }
        var (wanted, domainError) = await WantedDomainsAsync(qpd, 8, cancellationToken);
        if (domainError is not null)
        {
            return Error(message, qpd, ackOptions, domainError);
        }
        var limitText = message.First("RCP")?.Get(2) ?? "";
        var limit = DefaultLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.DataTypeError, Hl7Severity.Error, new Hl7Location("RCP", 1, 2), $"RCP-2: a quantity from 1 to {MaxLimit}"));
        }
        var offset = 0;
        if (message.First("DSC")?.Get(1) is { Length: > 0 } pointer && !(int.TryParse(pointer, NumberStyles.None, CultureInfo.InvariantCulture, out offset) && offset >= 0))
        {
            return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.DataTypeError, Hl7Severity.Error, new Hl7Location("DSC", 1, 1), "DSC-1: not a continuation pointer of this server"));
        }

        var (items, total) = await queries.SearchAsync(query, offset, limit, cancellationToken);
        var identifiers = await queries.IdentifiersOfAsync(items, cancellationToken);
        var d = message.Delimiters;
        var pids = new List<Hl7Segment>();
        foreach (var identity in items)
        {
            var references = identifiers[identity.Id].All.Where(r => wanted is null || wanted.Any(w => w.FhirSystem == r.Domain.FhirSystem)).ToList();
            if (references.Count == 0)
            {
                continue; // no identifier in the domains asked for (QPD-8)
            }
            var pid = Factory.PatientIdentification(PamMapping.ToPam(identity, identityOptions.Value), (pids.Count + 1).ToString(CultureInfo.InvariantCulture));
            pids.Add(pid.WithRawField(3, Hl7Compose.Repetitions(d, references.Select(r => CxOf(r).ToRaw(d)))));
        }
        await queries.AuditAsync(actor, "pdq", parameters, items.Select(i => i.Ipp).ToList(), cancellationToken);
        var remaining = Math.Max(0, total - offset - items.Count);
        var segments = new List<Hl7Segment>(Rsp(message, "K22", "RSP_K21", Hl7AckCode.Accept, [], ackOptions).Segments)
        {
            Qak(qpd, pids.Count > 0 ? "OK" : "NF", total, pids.Count, remaining),
            qpd,
        };
        segments.AddRange(pids);
        if (remaining > 0)
        {
            segments.Add(Hl7Segment.FromRaw("DSC", d, (offset + items.Count).ToString(CultureInfo.InvariantCulture), "I"));
        }
        return new Hl7Message(segments);
    }

    private async Task<Hl7Message> PixAsync(Hl7Message message, Hl7Segment qpd, Actor actor, Hl7AckOptions ackOptions, CancellationToken cancellationToken)
    {
        var person = qpd.Field(3).Repetition(1);
        var value = person[1].Trim();
        var authority = person.Component(4);
        if (value.Length == 0 || (authority.Subcomponent(1).Length == 0 && authority.Subcomponent(2).Length == 0))
        {
            return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.RequiredFieldMissing, Hl7Severity.Error, new Hl7Location("QPD", 1, 3, 1, value.Length == 0 ? 1 : 4),
                "QPD-3: the identifier and its assigning authority are required"));
        }
        var source = domains.FromHl7(authority.Subcomponent(1), authority.Subcomponent(2));
        if (!await queries.IsKnownAsync(source, cancellationToken))
        {
            return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Error, new Hl7Location("QPD", 1, 3, 1, 4), "unknown assigning authority"));
        }
        var (wanted, domainError) = await WantedDomainsAsync(qpd, 4, cancellationToken);
        if (domainError is not null)
        {
            return Error(message, qpd, ackOptions, domainError);
        }
        var parameters = new Dictionary<string, string> { ["QPD-3"] = qpd.Field(3).Raw, ["QPD-4"] = qpd.Field(4).Raw };
        var identity = await queries.ResolveAsync(source, value, cancellationToken);
        if (identity is null)
        {
            await queries.AuditAsync(actor, "pix", parameters, [], cancellationToken);
            return Error(message, qpd, ackOptions, new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Error, new Hl7Location("QPD", 1, 3, 1, 1), "unknown identifier"));
        }
        var references = (await queries.IdentifiersOfAsync(identity, cancellationToken)).All
            .Where(r => !(r.Domain.FhirSystem == source.FhirSystem && r.Value == value))
            .Where(r => wanted is null || wanted.Any(w => w.FhirSystem == r.Domain.FhirSystem)).ToList();
        await queries.AuditAsync(actor, "pix", parameters, [identity.Ipp], cancellationToken, identity);
        var d = message.Delimiters;
        var segments = new List<Hl7Segment>(Rsp(message, "K23", "RSP_K23", Hl7AckCode.Accept, [], ackOptions).Segments)
        {
            Qak(qpd, references.Count > 0 ? "OK" : "NF", null, null, null),
            qpd,
        };
        if (references.Count > 0)
        {
            segments.Add(Hl7Segment.FromRaw("PID", d, "1", "", Hl7Compose.Repetitions(d, references.Select(r => CxOf(r).ToRaw(d))), "", " "));
        }
        return new Hl7Message(segments);
    }

    /// <summary>The domains of QPD-8 (PDQ) or QPD-4 (PIX): null for all; an unknown one is the ERR of ITI-9/ITI-21 (204).</summary>
    private async Task<(List<IdentifierDomain>? Wanted, Hl7Error? Error)> WantedDomainsAsync(Hl7Segment qpd, int fieldNumber, CancellationToken cancellationToken)
    {
        var field = qpd.Field(fieldNumber);
        List<IdentifierDomain>? wanted = null;
        for (var rep = 1; rep <= field.RepetitionCount; rep++)
        {
            var authority = field.Repetition(rep).Component(4);
            if (authority.Subcomponent(1).Length == 0 && authority.Subcomponent(2).Length == 0)
            {
                continue;
            }
            var domain = domains.FromHl7(authority.Subcomponent(1), authority.Subcomponent(2));
            if (!await queries.IsKnownAsync(domain, cancellationToken))
            {
                return (null, new Hl7Error(Hl7ErrorCode.UnknownKey, Hl7Severity.Error, new Hl7Location("QPD", 1, fieldNumber, rep, 4), "unknown domain in the domains to return"));
            }
            (wanted ??= []).Add(domain);
        }
        return (wanted, null);
    }

    private static Cx CxOf(CrossReference reference) => reference.Domain.Kind == DomainKind.Ins
        ? new PamIns(reference.Value, reference.Domain.InsOid!).ToCx()
        : new Cx(reference.Value, new Hd(reference.Domain.Hl7Namespace, reference.Domain.Hl7UniversalId, reference.Domain.Hl7UniversalId.Length > 0 ? "ISO" : ""), "PI");

    private static (string Text, TextMatch Match) Wildcard(string value)
    {
        if (value.Length > 1 && value.StartsWith('*') && value.EndsWith('*'))
        {
            return (value.Trim('*'), TextMatch.Contains);
        }
        return value.EndsWith('*') ? (value.TrimEnd('*'), TextMatch.StartsWith) : (value, TextMatch.Exact);
    }

    private static Hl7Segment Qak(Hl7Segment qpd, string status, int? total, int? payload, int? remaining) => Hl7Segment.FromRaw("QAK", qpd.Delimiters,
        qpd.Field(2).Raw, status, qpd.Field(1).Raw,
        total?.ToString(CultureInfo.InvariantCulture) ?? "", payload?.ToString(CultureInfo.InvariantCulture) ?? "", remaining?.ToString(CultureInfo.InvariantCulture) ?? "");

    /// <summary>An AE answer: MSA AE, the ERR, QAK AE and the QPD echoed (when there is one).</summary>
    private static Hl7Message Error(Hl7Message message, Hl7Segment? qpd, Hl7AckOptions ackOptions, Hl7Error error)
    {
        var (trigger, structure) = IsPix(message) ? ("K23", "RSP_K23") : ("K22", "RSP_K21");
        var segments = new List<Hl7Segment>(Rsp(message, trigger, structure, Hl7AckCode.Error, [error], ackOptions).Segments);
        if (qpd is not null)
        {
            segments.Add(Qak(qpd, "AE", null, null, null));
            segments.Add(qpd);
        }
        return new Hl7Message(segments);
    }

    /// <summary>MSH and MSA (and ERR) as an ACK is built, with MSH-9 the response's type.</summary>
    private static Hl7Message Rsp(Hl7Message message, string trigger, string structure, Hl7AckCode code, IReadOnlyList<Hl7Error> errors, Hl7AckOptions ackOptions)
    {
        var ack = Hl7Ack.Build(message, code, errors, ackOptions);
        var msh = ack.Segments[0].WithRawField(9, Hl7Compose.Components(message.Delimiters, "RSP", trigger, structure));
        return new Hl7Message([msh, .. ack.Segments.Skip(1)]);
    }
}
