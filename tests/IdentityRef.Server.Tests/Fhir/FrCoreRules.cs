// Firely's model types every element as nullable; these tests read the shape they assert, and a missing element fails the test.
#nullable disable warnings
using Hl7.Fhir.Model;
using IdentityRef.Server.Fhir;

namespace IdentityRef.Server.Tests.Fhir;

/// <summary>
/// The rules of FR Core Patient and Patient-INS (Interop'Santé hl7.fhir.fr.core: FRCorePatientProfile.fsh,
/// FRCorePatientINSProfile.fsh, invariants fr-core-1, fr-core-2, fr-core-identity-reliability-1/2), asserted by hand
/// since the FR Core package cannot be loaded offline; and the national rule: never an INS unless qualified.
/// </summary>
public static class FrCoreRules
{
    private static readonly string[] InsSystems =
        ["urn:oid:1.2.250.1.213.1.4.8", "urn:oid:1.2.250.1.213.1.4.9", "urn:oid:1.2.250.1.213.1.4.10", "urn:oid:1.2.250.1.213.1.4.11"];

    public static string StatusOf(Patient patient) =>
        ((Coding)Reliability(patient).GetExtension("identityStatus").Value).Code;

    public static void AssertPatient(Patient patient)
    {
        Assert.Contains(FrCorePatients.ProfilePatient, patient.Meta.Profile);
        var status = StatusOf(patient);
        Assert.Contains(status, new[] { "PROV", "RECUP", "VALI", "QUAL" });
        Assert.Equal(FrCorePatients.IdentityStatusSystem, ((Coding)Reliability(patient).GetExtension("identityStatus").Value).System);

        // the IPP: slice PI (use usual, type v2-0203#PI, a system, a value)
        var ipp = Assert.Single(patient.Identifier, i => i.Use == Identifier.IdentifierUse.Usual);
        Assert.Equal("PI", ipp.Type.Coding.Single().Code);
        Assert.Equal(patient.Id, ipp.Value);
        Assert.StartsWith("urn:oid:", ipp.System);

        // officialName: use official, family and given present; usualName: use usual
        var official = Assert.Single(patient.Name, n => n.Use == HumanName.NameUse.Official);
        Assert.False(string.IsNullOrEmpty(official.Family));
        Assert.NotEmpty(official.Given);

        // identity reliability invariants: DOUT/FICT → PROV; never both
        var comments = Reliability(patient).Extension.Where(e => e.Url == "comment").Select(e => ((CodeableConcept)e.Value).Coding.Single().Code).ToList();
        if (comments.Contains("DOUT") || comments.Contains("FICT"))
        {
            Assert.Equal("PROV", status);
        }
        Assert.False(comments.Contains("DOUT") && comments.Contains("FICT"));

        var ins = patient.Identifier.Where(i => InsSystems.Contains(i.System)).ToList();
        if (status != "QUAL")
        {
            Assert.Empty(ins); // the INS is handed on only for a qualified identity
            Assert.DoesNotContain(FrCorePatients.ProfilePatientIns, patient.Meta.Profile);
            return;
        }

        // FR Core Patient-INS
        Assert.Contains(FrCorePatients.ProfilePatientIns, patient.Meta.Profile);
        var insIdentifier = Assert.Single(ins);
        var (code, use) = insIdentifier.System switch
        {
            "urn:oid:1.2.250.1.213.1.4.8" => ("INS-NIR", Identifier.IdentifierUse.Official),
            "urn:oid:1.2.250.1.213.1.4.9" => ("INS-NIA", Identifier.IdentifierUse.Temp),
            "urn:oid:1.2.250.1.213.1.4.10" => ("INS-NIR-TEST", Identifier.IdentifierUse.Official),
            _ => ("INS-NIR-DEMO", Identifier.IdentifierUse.Official),
        };
        Assert.Equal(use, insIdentifier.Use);
        Assert.Equal("https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203", insIdentifier.Type.Coding.Single().System);
        Assert.Equal(code, insIdentifier.Type.Coding.Single().Code);
        Assert.Matches("^[0-9]{6}[0-9AB][0-9]{8}$", insIdentifier.Value);
        // fr-core-2: only one identifier of use official (or an INS-NIA)
        Assert.True(patient.Identifier.Count(i => i.Use == Identifier.IdentifierUse.Official) == 1 || use == Identifier.IdentifierUse.Temp);
        // extension[birthPlace] 1..1 with the INSEE code; gender and birthDate present
        var birthPlace = Assert.Single(patient.Extension, e => e.Url == FrCorePatients.BirthPlace);
        var insee = ((Address)birthPlace.Value).GetExtensionValue<Coding>(FrCorePatients.AddressInseeCode);
        Assert.Matches("^[0-9][0-9AB][0-9]{3}$", insee.Code);
        Assert.NotNull(patient.Gender);
        Assert.False(string.IsNullOrEmpty(patient.BirthDate));
        // officialName.given 1..1 (the first birth first name) and the birth list of first names 1..1
        Assert.Single(official.Given);
        Assert.Single(official.Extension, e => e.Url == FrCorePatients.BirthListGivenName);
    }

    private static Extension Reliability(Patient patient) => Assert.Single(patient.Extension, e => e.Url == FrCorePatients.IdentityReliability);
}
