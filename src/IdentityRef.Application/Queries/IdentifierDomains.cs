using IdentityRef.Application.Patients;
using IdentityRef.Domain.Ins;
using IdentityRef.Hl7.Pam;
using IdentityRef.Persistence;
using Microsoft.Extensions.Options;

namespace IdentityRef.Application.Queries;

/// <summary>The kind of an identifier domain the server knows.</summary>
public enum DomainKind
{
    /// <summary>Our IPP (the server's own assigning authority).</summary>
    Ipp,

    /// <summary>The national health identifier (INS-NIR, INS-NIA, test and demo NIR): handed on only for a qualified identity.</summary>
    Ins,

    /// <summary>Another system's identifiers, kept as cross-references (inbound feed, imports); <see cref="IdentifierDomain.Stored"/> is their stored system.</summary>
    Other,
}

/// <summary>
/// One identifier domain as the three transports name it: the system stored in <c>identifiers</c> (<c>hl7:URGENCES</c>,
/// <c>import:febrl</c>), the FHIR system URI and the HL7 assigning authority (CX-4).
/// </summary>
public sealed record IdentifierDomain(DomainKind Kind, string FhirSystem, string Hl7Namespace, string Hl7UniversalId, string? Stored = null, string? InsOid = null);

/// <summary>
/// The identifier domains and their names. Our IPP is <c>urn:oid:{Identity:IppAuthorityOid}</c>; the INS are the
/// national OIDs; another domain stored as <c>hl7:X</c> is <c>urn:oid:X</c> when X is an OID, otherwise
/// <c>urn:identityref:hl7:X</c> (and <c>import:Y</c> is <c>urn:identityref:import:Y</c>).
/// </summary>
public sealed class IdentifierDomains(IOptions<IdentityOptions> options)
{
    public const string OtherPrefix = "urn:identityref:";

    /// <summary>The PAM FR assigning authority names of the INS (PID-3 CX-4.1).</summary>
    private static readonly Dictionary<string, string> InsNamespaces = new()
    {
        [InsOids.Nir] = "ASIP-SANTE-INS-NIR",
        [InsOids.Nia] = "ASIP-SANTE-INS-NIA",
        [InsOids.TestNir] = "ASIP-SANTE-INS-NIR-TEST",
        [InsOids.DemoNir] = "ASIP-SANTE-INS-NIR-DEMO",
    };

    public IdentifierDomain Ipp => new(DomainKind.Ipp, "urn:oid:" + options.Value.IppAuthorityOid, options.Value.IppAuthorityName, options.Value.IppAuthorityOid);

    public static IdentifierDomain Ins(string oid) => new(DomainKind.Ins, "urn:oid:" + oid, InsNamespaces.GetValueOrDefault(oid, oid), oid, InsOid: oid);

    /// <summary>The domain of a stored cross-reference system.</summary>
    public static IdentifierDomain OfStored(string stored)
    {
        var name = stored.StartsWith("hl7:", StringComparison.Ordinal) ? stored[4..] : stored;
        var fhir = stored.StartsWith("hl7:", StringComparison.Ordinal) && IsOid(name) ? "urn:oid:" + name : OtherPrefix + stored;
        return new IdentifierDomain(DomainKind.Other, fhir, name, IsOid(name) ? name : "", stored);
    }

    /// <summary>The domain a FHIR system URI names, or null when it names none this server could know.</summary>
    public IdentifierDomain? FromFhirSystem(string system)
    {
        if (system.StartsWith("urn:oid:", StringComparison.Ordinal))
        {
            var oid = system[8..];
            if (oid == options.Value.IppAuthorityOid)
            {
                return Ipp;
            }
            if (InsOids.KindOf(oid) is not null)
            {
                return Ins(oid);
            }
            return IsOid(oid) ? OfStored("hl7:" + oid) : null;
        }
        if (system.StartsWith(OtherPrefix, StringComparison.Ordinal) && system.Length > OtherPrefix.Length)
        {
            return OfStored(system[OtherPrefix.Length..]);
        }
        return null;
    }

    /// <summary>The domain an HL7 assigning authority (CX-4: namespace, universal id) names; our IPP and the INS by name or OID.</summary>
    public IdentifierDomain FromHl7(string namespaceId, string universalId)
    {
        if (options.Value.IsIppAuthority(namespaceId, universalId))
        {
            return Ipp;
        }
        if (InsOids.KindOf(universalId) is not null)
        {
            return Ins(universalId);
        }
        var byName = InsNamespaces.FirstOrDefault(p => string.Equals(p.Value, namespaceId, StringComparison.OrdinalIgnoreCase));
        if (byName.Key is not null)
        {
            return Ins(byName.Key);
        }
        // The inbound feed stores a domain by its namespace, or its universal id when it has no namespace.
        return OfStored("hl7:" + (namespaceId.Length > 0 ? namespaceId : universalId));
    }

    public static string StoredOf(IdentityIdentifier identifier) => identifier.System;

    /// <summary>
    /// A stored cross-reference system that is an INS authority (<c>hl7:1.2.250.1.213.1.4.8</c>, <c>hl7:ASIP-SANTE-INS-NIR</c>…):
    /// earlier versions read a CX as the INS only when its type code was INS, and kept an INS sent with another type code
    /// (e.g. NH) as a cross-reference. Such a row is never an identifier to publish nor one that designates an identity:
    /// the INS leaves only as <see cref="Domain.Identities.Identity.ShareableIns"/>, for a qualified identity.
    /// </summary>
    public static bool IsInsSystem(string stored) =>
        stored.StartsWith("hl7:", StringComparison.Ordinal) && stored.Length > 4 && PamIns.IsInsAuthority(stored[4..], stored[4..]);

    public static bool IsOid(string text) =>
        text.Length is > 2 and <= 64 && text.All(c => c is '.' or (>= '0' and <= '9')) && !text.StartsWith('.') && !text.EndsWith('.') && !text.Contains("..");
}
