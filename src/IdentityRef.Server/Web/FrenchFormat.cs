using System.Globalization;

namespace IdentityRef.Server.Web;

/// <summary>
/// Every date, time, number and percentage the screens show, in French whatever the machine's culture (a server
/// started under <c>LANG=de_DE</c> must not show <c>03.12.2026</c>), and every instant in the server clock's time zone
/// (<see cref="TimeProvider.LocalTimeZone"/>: the machine's in production, the test's in tests), as the dashboard
/// counts its days.
/// </summary>
public static class FrenchFormat
{
    public static CultureInfo Culture { get; } = CultureInfo.GetCultureInfo("fr-FR");

    /// <summary><c>03/12/2026</c>.</summary>
    public static string Date(DateOnly day) => day.ToString("dd/MM/yyyy", Culture);

    /// <summary>The day of an instant, where the server is: <c>03/12/2026</c>.</summary>
    public static string Date(DateTimeOffset at, TimeProvider clock) => Local(at, clock).ToString("dd/MM/yyyy", Culture);

    /// <summary><c>03/12/2026 14:05</c>.</summary>
    public static string Minute(DateTimeOffset at, TimeProvider clock) => Local(at, clock).ToString("dd/MM/yyyy HH:mm", Culture);

    /// <summary><c>03/12/2026 14:05:09</c>.</summary>
    public static string Second(DateTimeOffset at, TimeProvider clock) => Local(at, clock).ToString("dd/MM/yyyy HH:mm:ss", Culture);

    /// <summary><c>14:05</c>.</summary>
    public static string Time(DateTimeOffset at, TimeProvider clock) => Local(at, clock).ToString("HH:mm", Culture);

    /// <summary>A count with French digit grouping: <c>12 345</c>.</summary>
    public static string Count(long count) => count.ToString("N0", Culture);

    /// <summary>A rate as a percentage with one decimal: <c>12,5 %</c>.</summary>
    public static string Percent(double rate) => rate.ToString("P1", Culture);

    /// <summary>A matching score or weight with two decimals: <c>7,25</c>.</summary>
    public static string Decimal(double value, string format = "0.00") => value.ToString(format, Culture);

    private static DateTimeOffset Local(DateTimeOffset at, TimeProvider clock) => TimeZoneInfo.ConvertTime(at, clock.LocalTimeZone);
}
