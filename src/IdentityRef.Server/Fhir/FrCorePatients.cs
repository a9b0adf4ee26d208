using System.Globalization;
using Hl7.Fhir.Model;
using IdentityRef.Application.Queries;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using Task = System.Threading.Tasks.Task;

namespace IdentityRef.Server.Fhir;

/// <summary>
/// An identity as a FHIR R4 Patient of the French profiles (Interop'Santé FR Core): every identity is FR Core Patient;
/// one whose INS may be handed on (<see cref="Identity.ShareableIns"/>: qualified) is also FR Core Patient-INS, with the
/// INS-NIR (use official) or INS-NIA (use temp) identifier slice, the birth place INSEE code, the official name with the
/// first birth first name and the birth list of first names. Never an INS otherwise.
/// </summary>
public static class FrCorePatients
{
    public const string ProfilePatient = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient";
    public const string ProfilePatientIns = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins";
    public const string IdentityReliability = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability";
    public const string BirthListGivenName = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name";
    public const string BirthdateUpdateIndicator = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birthdate-update-indicator";
    public const string AddressInseeCode = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code";
    public const string BirthPlace = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
    public const string IdentityStatusSystem = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status";
    public const string MethodCollectionSystem = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection";
    public const string ValidationModeSystem = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity";
    public const string StatusCommentSystem = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status-comment";
    public const string FrV20203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203";
    public const string V20203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    public const string InseeCommunes = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM";

    /// <summary>The FR Core codes of the high-trust documents (validationMode); a code outside it is not sent.</summary>
    private static readonly HashSet<string> ValidationModes = ["CN", "PA", "CS", "eCN", "IN", "AV", "LECV", "AN", "LEP", "CC", "ANCV"];

    /// <summary>The facts of an identity the Patient needs besides the identity itself.</summary>
    public sealed record Context(IReadOnlyList<CrossReference> CrossReferences, IReadOnlyList<string> MergedIpps, string? SurvivorIpp, IBirthPlaceDirectory Places);

    public static Patient ToPatient(Identity identity, Context context)
    {
        var ins = identity.ShareableIns;
        var patient = new Patient
        {
            Id = identity.Ipp,
            Meta = new Meta
            {
                VersionId = identity.Version.ToString(CultureInfo.InvariantCulture),
                LastUpdated = identity.UpdatedAt,
                Profile = ins is null ? [ProfilePatient] : [ProfilePatient, ProfilePatientIns],
            },
            Active = identity.IsActive,
            Gender = identity.Sex switch
            {
                Sex.Male => AdministrativeGender.Male,
                Sex.Female => AdministrativeGender.Female,
                _ => AdministrativeGender.Unknown,
            },
            BirthDate = identity.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            // The day only, as PID-29 carries it (a date of death without its hour: FHIR dateTime allows YYYY-MM-DD).
            Deceased = identity.DeathDate is { } died ? new FhirDateTime(died.Year, died.Month, died.Day) : null,
        };

        foreach (var reference in context.CrossReferences)
        {
            patient.Identifier.Add(IdentifierOf(reference));
        }
        foreach (var old in context.MergedIpps)
        {
            patient.Identifier.Add(new Identifier(context.CrossReferences[0].Domain.FhirSystem, old)
            {
                Use = Identifier.IdentifierUse.Old,
                Type = new CodeableConcept(V20203, "PI", "Patient internal identifier"),
            });
        }

        var official = new HumanName { Use = HumanName.NameUse.Official, Family = identity.BirthName, Given = [identity.FirstName] };
        official.Extension.Add(new Extension(BirthListGivenName, new FhirString(identity.FirstNames)));
        patient.Name.Add(official);
        if (identity.UsedName is not null || identity.UsedFirstName is not null)
        {
            var usual = new HumanName { Use = HumanName.NameUse.Usual, Family = identity.UsedName };
            if (identity.UsedFirstName is { } usedFirst)
            {
                usual.Given = [usedFirst];
            }
            patient.Name.Add(usual);
        }

        patient.Extension.Add(Reliability(identity));
        patient.Extension.Add(new Extension(BirthdateUpdateIndicator, new FhirBoolean(identity.BirthDateCorrected)));
        if (identity.BirthPlaceCode is { } place)
        {
            var address = new Address { City = context.Places.NameOf(place) };
            address.Extension.Add(new Extension(AddressInseeCode, new Coding(InseeCommunes, place)));
            patient.Extension.Add(new Extension(BirthPlace, address));
        }

        if (identity.Address is not null || identity.Postcode is not null || identity.City is not null)
        {
            var home = new Address { Use = Address.AddressUse.Home, City = identity.City, PostalCode = identity.Postcode };
            if (identity.Address is { } line)
            {
                home.Line = [line];
            }
            patient.Address.Add(home);
        }
        if (identity.Phone is { } phone)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Home, phone));
        }
        if (identity.Email is { } email)
        {
            patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Email, ContactPoint.ContactPointUse.Home, email));
        }
        if (context.SurvivorIpp is { } survivor)
        {
            patient.Link.Add(new Patient.LinkComponent { Other = new ResourceReference("Patient/" + survivor), Type = Patient.LinkType.ReplacedBy });
        }
        return patient;
    }

    /// <summary>An identifier of one domain: our IPP (usual, PI), the INS slices of FR Core Patient-INS, another domain's id (secondary, PI).</summary>
    public static Identifier IdentifierOf(CrossReference reference) => reference.Domain.Kind switch
    {
        DomainKind.Ipp => new Identifier(reference.Domain.FhirSystem, reference.Value)
        {
            Use = Identifier.IdentifierUse.Usual,
            Type = new CodeableConcept(V20203, "PI", "Patient internal identifier"),
        },
        DomainKind.Ins => InsIdentifier(reference.Domain.InsOid!, reference.Value),
        _ => new Identifier(reference.Domain.FhirSystem, reference.Value)
        {
            Use = Identifier.IdentifierUse.Secondary,
            Type = new CodeableConcept(V20203, "PI", "Patient internal identifier"),
        },
    };

    private static Identifier InsIdentifier(string oid, string value)
    {
        var (code, display, use) = InsOids.KindOf(oid) switch
        {
            InsKind.Nia => ("INS-NIA", "NIA", Identifier.IdentifierUse.Temp),
            InsKind.TestNir => ("INS-NIR-TEST", "NIR de test", Identifier.IdentifierUse.Official),
            InsKind.DemoNir => ("INS-NIR-DEMO", "NIR de démonstration", Identifier.IdentifierUse.Official),
            _ => ("INS-NIR", "NIR définitif", Identifier.IdentifierUse.Official),
        };
        return new Identifier("urn:oid:" + oid, value) { Use = use, Type = new CodeableConcept(FrV20203, code, display) };
    }

    /// <summary>The FR Core identity reliability extension: RNIV status, obtaining mode, INSi call date, document checked, attributes.</summary>
    private static Extension Reliability(Identity identity)
    {
        var reliability = new Extension { Url = IdentityReliability };
        reliability.Extension.Add(new Extension("identityStatus", new Coding(IdentityStatusSystem, identity.Status.Code(), identity.Status.Label())));
        reliability.Extension.Add(new Extension("methodCollection", new Coding(MethodCollectionSystem, identity.ObtainingMode)));
        if (identity.InsiCheckedAt is { } called)
        {
            reliability.Extension.Add(new Extension("dateInterrogationINSi", new Date(called.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        }
        if (identity.DocumentType is { } document && ValidationModes.Contains(document))
        {
            reliability.Extension.Add(new Extension("validationMode", new Coding(ValidationModeSystem, document)));
            if (identity.DocumentCheckedAt is { } checkedAt)
            {
                reliability.Extension.Add(new Extension("validationDate", new Date(checkedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
            }
        }
        foreach (var (flag, code) in new[] { (IdentityAttributes.Homonyme, "HOMA"), (IdentityAttributes.Fictive, "FICT"), (IdentityAttributes.Douteuse, "DOUT") })
        {
            if (identity.Attributes.HasFlag(flag))
            {
                reliability.Extension.Add(new Extension("comment", new CodeableConcept(StatusCommentSystem, code)));
            }
        }
        return reliability;
    }
}
