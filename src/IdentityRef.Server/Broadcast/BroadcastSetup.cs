using IdentityRef.Server.Hosting;
using IdentityRef.Application.Inbound;
using IdentityRef.Application.Broadcast;
using IdentityRef.Application.Patients;
using IdentityRef.Server.Patients;

namespace IdentityRef.Server.Broadcast;

public static class BroadcastSetup
{
    public static void AddBroadcast(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Hl7Options>().Bind(configuration.GetSection(Hl7Options.Section)).ValidateSettings(Hl7Options.Section)
            .Validate(o => o.RetryMinSeconds <= o.RetryMaxSeconds, "Hl7:RetryMinSeconds must not exceed Hl7:RetryMaxSeconds.")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Hl7:TimeZone is not a time zone this system knows (e.g. Europe/Paris)")
            .ValidateOnStart();
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<SubscriptionService>();
        services.AddScoped<MessageService>();
        services.AddScoped<MessageScreens>();
        services.AddScoped<IIdentityChangeListener, OutboxWriter>();
        services.AddScoped<OutboxHousekeeping>();
        services.AddScoped<OutboxDelivery>();
        services.AddScoped<OutboxStatistics>();
        services.AddInbound();
        services.AddSingleton<Inbound.InboundFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<Inbound.InboundFeed>());
        if (configuration.GetValue($"{Hl7Options.Section}:{nameof(Hl7Options.DispatcherEnabled)}", defaultValue: true))
        {
            services.AddSingleton<OutboxDispatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        }
    }
}
