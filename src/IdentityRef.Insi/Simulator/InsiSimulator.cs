using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace IdentityRef.Insi.Simulator;

/// <summary>An HTTP answer of the simulator, for the host to copy onto its response.</summary>
public sealed record InsiSimulatorResponse(int StatusCode, string? ContentType, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// The INSi teleservice, simulated: takes a raw SOAP request and answers as the qualification platform does
/// (same namespaces, element names, CodeCR and SOAP faults). Matching: birth name, sex and birth date exact;
/// first names by <see cref="SimulatedIdentity.MatchesFirstNames"/>; birth place only when sent; several
/// identities give 02. Immutable once built: safe to share between requests.
/// </summary>
public sealed class InsiSimulator
{
    private static readonly XNamespace Soap = InsiContract.SoapEnvelopeNamespace;
    private static readonly XNamespace Wsa = InsiContract.AddressingNamespace;
    private static readonly XNamespace Lps = InsiContract.ContexteLpsNamespace;
    private static readonly XNamespace RecSans = InsiContract.RecSansNamespace;
    private static readonly XNamespace RecVit = InsiContract.RecVitaleNamespace;
    private static readonly XNamespace Bam = InsiContract.ContexteBamNamespace;

    private readonly IReadOnlyList<SimulatedIdentity> _identities;
    private readonly InsiSimulatorOptions _options;
    private readonly HashSet<string> _acceptedNumbers;

    public InsiSimulator(IEnumerable<SimulatedIdentity> identities, InsiSimulatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(identities);
        _options = options ?? new InsiSimulatorOptions();
        _identities = string.IsNullOrWhiteSpace(_options.AnswerOid)
            ? identities.ToList()
            : identities.Select(i => i with { Ins = WithOid(i.Ins), History = [.. i.History.Select(WithOid)] }).ToList();
        _acceptedNumbers = new HashSet<string>(_options.AcceptedSoftwareAuthorisationNumbers, StringComparer.Ordinal);
    }

    /// <summary>Loads the identities from <see cref="InsiSimulatorOptions.DataPath"/>.</summary>
    public static InsiSimulator FromOptions(InsiSimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new InsiSimulator(SimulatedIdentityFile.Load(options.DataPath), options);
    }

    public IReadOnlyList<SimulatedIdentity> Identities => _identities;

    /// <summary>An INS-NIR under <see cref="InsiSimulatorOptions.AnswerOid"/>; an INS-NIA stays one.</summary>
    private SimulatedIns WithOid(SimulatedIns ins) => ins.Oid == "1.2.250.1.213.1.4.9" ? ins : ins with { Oid = _options.AnswerOid! };

    public InsiSimulatorResponse Handle(string body, string? contentType) =>
        Handle(Encoding.UTF8.GetBytes(body ?? string.Empty), contentType);

    public InsiSimulatorResponse Handle(byte[] body, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!IsSoap12(contentType))
        {
            // What a SOAP 1.2 endpoint answers to SOAP 1.1 (text/xml) or anything else.
            return new InsiSimulatorResponse(415, null, []);
        }

        var document = InsiXml.TryLoad(body);
        if (document is null)
        {
            return SimulatorFaults.Malformed(null, $"La requete n'est pas un document XML bien forme d'au plus {InsiXml.MaxDepth} niveaux.");
        }

        var (payload, problem) = InsiXml.BodyPayload(document);
        var header = document.Root?.Element(Soap + "Header");
        var messageId = header?.Text(Wsa + "MessageID");
        if (payload is null || header is null)
        {
            return SimulatorFaults.Malformed(messageId, "Enveloppe SOAP 1.2 invalide : " + (problem ?? "en-tete absent") + ".");
        }

        var idam = header.Element(Lps + "ContexteLPS")?.Element(Lps + "LPS")?.Text(Lps + "IDAM");
        if (idam is null || (_acceptedNumbers.Count > 0 && !_acceptedNumbers.Contains(idam)))
        {
            return SimulatorFaults.UnknownSoftware(messageId);
        }

        if (!string.IsNullOrWhiteSpace(_options.FaultCode))
        {
            return SimulatorFaults.Unavailable(messageId, _options.FaultCode);
        }

        var action = header.Text(Wsa + "Action");
        if (action == InsiContract.SearchByTraitsAction && payload.Name == RecSans + "RECSANSVITALE")
        {
            return SearchByTraits(payload, messageId);
        }

        if (action == InsiContract.SearchWithVitaleAction && payload.Name == RecVit + "RECVITALE")
        {
            // Card mode: the card's data travel in ContexteBAM/COUVERTURE (the insured and the beneficiary read on the card).
            var coverage = header.Element(Bam + "ContexteBAM")?.Element(Bam + "COUVERTURE");
            if (coverage?.Element(Bam + "ASSURE") is null || coverage.Element(Bam + "BENEFICIAIRE") is null)
            {
                return SimulatorFaults.MissingCardData(messageId);
            }
            return SearchWithVitale(payload, messageId);
        }

        if (action == _options.VerificationAction
            && InsiVerificationContract.ReadBody(payload, _options.VerificationNamespace) is { } verification)
        {
            return Verify(verification, messageId);
        }

        return SimulatorFaults.Malformed(messageId, "Action WS-Addressing inconnue ou corps de message ne correspondant pas a l'action.");
    }

    private InsiSimulatorResponse SearchByTraits(XElement body, string? messageId)
    {
        var sex = body.Text(RecSans + "Sexe");
        if (sex is not ("M" or "F"))
        {
            return SimulatorFaults.BadSex(messageId);
        }

        var birthName = body.Text(RecSans + "NomNaissance");
        var birthDate = body.Text(RecSans + "DateNaissance");
        if (birthName is null || !InsiFormats.IsLunarDate(birthDate))
        {
            return SimulatorFaults.BadTraits(messageId);
        }

        var sentNames = JoinFirstNames(body.Elements(RecSans + "Prenom"));
        var birthPlace = body.Text(RecSans + "LieuNaissance");
        var hits = _identities.Where(identity =>
                string.Equals(identity.BirthName, birthName, StringComparison.OrdinalIgnoreCase)
                && identity.Sex == sex[0]
                && identity.BirthDate == birthDate
                && identity.MatchesFirstNames(sentNames)
                && (birthPlace is null || string.Equals(identity.BirthPlace, birthPlace, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return SimulatorAnswers.Resultat(hits);
    }

    private InsiSimulatorResponse SearchWithVitale(XElement body, string? messageId)
    {
        var matricule = body.Element(RecVit + "MatriculeIndividu");
        var number = matricule?.Text(RecVit + "NumIdentifiant");
        var key = matricule?.Text(RecVit + "Cle");
        var birthDate = body.Text(RecVit + "DateNaissance");
        if (!InsiFormats.IsMatricule13(number) || !InsiFormats.IsKey(key) || !InsiFormats.IsLunarDate(birthDate))
        {
            return SimulatorFaults.BadTraits(messageId);
        }

        var birthName = body.Text(RecVit + "NomNaissance");
        var hits = _identities.Where(identity =>
                identity.BirthDate == birthDate
                && (birthName is null || string.Equals(identity.BirthName, birthName, StringComparison.OrdinalIgnoreCase))
                && new[] { identity.Ins }.Concat(identity.History).Any(ins => ins.Matricule == number && ins.Key == key))
            .ToList();
        return SimulatorAnswers.Resultat(hits);
    }

    private InsiSimulatorResponse Verify(InsiVerificationQuery query, string? messageId)
    {
        if (query.Sex is not ('M' or 'F'))
        {
            return SimulatorFaults.BadSex(messageId);
        }

        if (query.Problem() is not null)
        {
            return SimulatorFaults.BadTraits(messageId);
        }

        var sentNames = string.Join(' ', query.FirstNames);
        var hits = _identities.Where(identity =>
                identity.Ins.Matricule == query.Matricule13 && identity.Ins.Key == query.Key && identity.Ins.Oid == query.Oid
                && string.Equals(identity.BirthName, query.BirthName, StringComparison.OrdinalIgnoreCase)
                && identity.Sex == query.Sex
                && identity.BirthDate == query.BirthDate
                && identity.MatchesFirstNames(sentNames)
                && (query.BirthPlaceCode is null || string.Equals(identity.BirthPlace, query.BirthPlaceCode, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return SimulatorAnswers.Resultat(hits);
    }

    /// <summary>Several Prenom elements count as one space-separated list; none means no first-name filter.</summary>
    private static string? JoinFirstNames(IEnumerable<XElement> elements)
    {
        var names = elements.Select(e => e.Value.Trim()).Where(n => n.Length > 0).ToList();
        return names.Count == 0 ? null : string.Join(' ', string.Join(' ', names).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static bool IsSoap12(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, InsiContract.SoapMediaType, StringComparison.OrdinalIgnoreCase);
}
