using IdentityRef.Matching;
using IdentityRef.Application.Patients;
using Microsoft.Extensions.Options;
using IdentityRef.Application.Qualification;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Application.Duplicates;

public static class DuplicateSetup
{
    /// <summary>The matcher (section <c>Matching</c>, validated at start), the key index listener, detection, resolution and the admission check.</summary>
    public static void AddDuplicates(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MatchingOptions>().Bind(configuration.GetSection("Matching")).ValidateOnStart();
        services.AddOptions<DuplicateOptions>().Bind(configuration.GetSection(DuplicateOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MatchingOptions>, DuplicateOptionsValidation>();
        services.AddSingleton<IValidateOptions<DuplicateOptions>, DuplicateOptionsValidation>();
        services.AddSingleton<MatchEngineProvider>();
        services.AddSingleton<DetectionGate>();
        services.AddSingleton<DetectionScheduler>();
        services.AddScoped<IIdentityChangeListener, MatchKeyIndex>();
        services.AddScoped<IIdentityChangeListener, DuplicateQueueListener>();
        services.AddScoped<DuplicateCandidates>();
        services.AddScoped<IAdmissionDuplicateCheck, AdmissionDuplicateCheck>();
        services.AddScoped<DuplicateDetection>();
        services.AddScoped<DuplicateResolution>();
        services.AddScoped<DuplicateGroups>();
        services.AddScoped<InsiContradictions>();
        services.AddScoped<IInsiCollisions>(provider => provider.GetRequiredService<InsiContradictions>());
        services.AddScoped<VigilanceScreens>();
    }
}
