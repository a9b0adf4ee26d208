using Hl7.Fhir.Model;

namespace IdentityRef.Server.Fhir;

/// <summary>What the FHIR endpoint offers (<c>/fhir/metadata</c>): PDQm Supplier with the match option, PIXm Manager, FR Core Patient.</summary>
public static class FhirCapability
{
    public static CapabilityStatement Statement(string baseUrl)
    {
        var patient = new CapabilityStatement.ResourceComponent
        {
            Type = "Patient",
            Profile = FrCorePatients.ProfilePatient,
            SupportedProfile = [FrCorePatients.ProfilePatientIns],
            Interaction =
            [
                new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.SearchType },
            ],
            SearchParam =
            [
                Param("family", SearchParamType.String, "Birth or used name (starts with; :exact, :contains)"),
                Param("given", SearchParamType.String, "First name: first birth first name, any birth first name, used first name (starts with; :exact, :contains)"),
                Param("birthdate", SearchParamType.Date, "Birth date, YYYY-MM-DD"),
                Param("gender", SearchParamType.Token, "male | female | other | unknown"),
                Param("identifier", SearchParamType.Token, "system|value: our IPP, a qualified INS, another domain's identifier"),
                Param("address-postalcode", SearchParamType.String, "Postcode (starts with)"),
                Param("_count", SearchParamType.Number, "Page size, 1 to 200 (default 20)"),
                Param("_offset", SearchParamType.Number, "Paging offset (next/previous links)"),
            ],
            Operation =
            [
                new CapabilityStatement.OperationComponent { Name = "match", Definition = "http://hl7.org/fhir/OperationDefinition/Patient-match" },
                new CapabilityStatement.OperationComponent { Name = "ihe-pix", Definition = "https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix" },
            ],
        };
        return new CapabilityStatement
        {
            Url = baseUrl + "/metadata",
            Name = "IdentityRef",
            Title = "IdentityRef — PDQm Supplier and PIXm Manager (FR Core Patient)",
            Status = PublicationStatus.Active,
            Date = "2026-12-06",
            Publisher = "IdentityRef",
            Kind = CapabilityStatementKind.Instance,
            Instantiates = ["https://profiles.ihe.net/ITI/PDQm/CapabilityStatement/IHE.PDQm.Supplier", "https://profiles.ihe.net/ITI/PIXm/CapabilityStatement/IHE.PIXm.Manager"],
            Software = new CapabilityStatement.SoftwareComponent { Name = "IdentityRef" },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "Patient identity server (référentiel d'identité)", Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json"],
            Rest =
            [
                new CapabilityStatement.RestComponent
                {
                    Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                    Documentation = "API key in the X-Api-Key header (role Consultation or any role that reads identities). Every query is audited.",
                    Resource = [patient],
                },
            ],
        };
    }

    private static CapabilityStatement.SearchParamComponent Param(string name, SearchParamType type, string documentation) =>
        new() { Name = name, Type = type, Documentation = documentation };
}
