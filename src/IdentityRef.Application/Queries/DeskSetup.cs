using IdentityRef.Application.Patients;
using IdentityRef.Application.ReferenceData;

namespace IdentityRef.Application.Queries;

public static class DeskSetup
{
    /// <summary>The admission desk's queries: the one search box, the birth-place look-up, the identity page's reads.</summary>
    public static void AddAdmissionDesk(this IServiceCollection services)
    {
        services.AddScoped<DeskSearch>();
        services.AddSingleton<BirthPlaceLookup>();
        services.AddScoped<DeskQueries>();
    }
}
