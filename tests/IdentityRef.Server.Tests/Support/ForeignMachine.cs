using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityRef.Server.Tests.Support;

/// <summary>
/// A server that runs as if on a machine set up far from France: every request is handled under another culture
/// (what <c>LANG=tr_TR.UTF-8</c> gives a process), and the server's clock tells another time zone (what
/// <c>TZ=Pacific/Kiritimati</c> gives it). The French screens must not notice, except that times are the zone's.
/// </summary>
public static class ForeignMachine
{
    /// <summary>UTC+14 all year round: the day on screen is never UTC's day after 10:00 UTC.</summary>
    public static TimeZoneInfo Kiritimati { get; } = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati");

    /// <summary>Dates <c>09.03.2026</c>, percentages <c>%50,0</c>, and the dotless/dotted i.</summary>
    public static CultureInfo Turkish { get; } = CultureInfo.GetCultureInfo("tr-TR");

    /// <summary>Services for <see cref="IdentityRefFactory"/>: the culture on every request, the clock in <paramref name="zone"/>.</summary>
    public static Action<IServiceCollection> Services(CultureInfo culture, TimeZoneInfo zone) => services =>
    {
        services.AddSingleton<TimeProvider>(new ZonedClock(zone));
        services.AddTransient<IStartupFilter>(_ => new CultureFilter(culture));
    };

    /// <summary>The system's clock (real time, real timers) whose local time zone is the test's.</summary>
    public sealed class ZonedClock(TimeZoneInfo zone) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => zone;
    }

    private sealed class CultureFilter(CultureInfo culture) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                CultureInfo.CurrentCulture = culture;
                CultureInfo.CurrentUICulture = culture;
                return following(context);
            });
            next(app);
        };
    }
}
