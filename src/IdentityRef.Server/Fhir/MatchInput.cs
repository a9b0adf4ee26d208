using Hl7.Fhir.Model;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;

namespace IdentityRef.Server.Fhir;

/// <summary>The traits of the Patient given to <c>$match</c>, read as FR Core writes them, for the admission validator.</summary>
public static class MatchInput
{
    public static IdentityInput From(Patient patient)
    {
        var official = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Official)
            ?? patient.Name.FirstOrDefault(n => n.Use is null or HumanName.NameUse.Maiden);
        var usual = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Usual);
        var birthList = official?.GetStringExtension(FrCorePatients.BirthListGivenName);
        var given = official?.Given.ToList() ?? [];
        var ins = patient.Identifier.FirstOrDefault(i => i.System is { } s && s.StartsWith("urn:oid:", StringComparison.Ordinal) && InsOids.KindOf(s[8..]) is not null);
        var birthPlace = (patient.GetExtensionValue<Address>(FrCorePatients.BirthPlace))?.GetExtensionValue<Coding>(FrCorePatients.AddressInseeCode)?.Code;
        var home = patient.Address.FirstOrDefault(a => a.Use is null or Address.AddressUse.Home);
        return new IdentityInput
        {
            BirthName = official?.Family,
            FirstNames = birthList ?? (given.Count > 0 ? string.Join(' ', given) : null),
            FirstName = given.FirstOrDefault(),
            BirthDate = patient.BirthDate,
            Sex = patient.Gender switch
            {
                AdministrativeGender.Male => "M",
                AdministrativeGender.Female => "F",
                AdministrativeGender.Unknown => "U",
                _ => null,
            },
            BirthPlaceCode = birthPlace,
            UsedName = usual?.Family,
            UsedFirstName = usual?.Given.FirstOrDefault(),
            Address = home is null ? null : string.Join(' ', home.Line),
            Postcode = home?.PostalCode,
            City = home?.City,
            Phone = patient.Telecom.FirstOrDefault(t => t.System == ContactPoint.ContactPointSystem.Phone)?.Value,
            InsValue = ins?.Value,
            InsOid = ins?.System?[8..],
        };
    }

    /// <summary>Where a field of the traits sits in the Patient given (OperationOutcome.issue.expression).</summary>
    public static string ExpressionOf(string field) => field switch
    {
        "birthName" => "Patient.name.where(use='official').family",
        "firstNames" => "Patient.name.where(use='official').extension('" + FrCorePatients.BirthListGivenName + "')",
        "firstName" => "Patient.name.where(use='official').given",
        "birthDate" => "Patient.birthDate",
        "sex" => "Patient.gender",
        "birthPlaceCode" => "Patient.extension('" + FrCorePatients.BirthPlace + "')",
        "usedName" => "Patient.name.where(use='usual').family",
        "usedFirstName" => "Patient.name.where(use='usual').given",
        "address" => "Patient.address.line",
        "postcode" => "Patient.address.postalCode",
        "city" => "Patient.address.city",
        "phone" => "Patient.telecom",
        "ins.value" or "ins.oid" or "ins" => "Patient.identifier",
        _ => "Patient",
    };
}
