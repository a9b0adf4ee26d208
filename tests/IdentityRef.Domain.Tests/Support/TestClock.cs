namespace IdentityRef.Domain.Tests.Support;

/// <summary>Fixed instants: the domain takes the time as a parameter, so tests never read the real clock.</summary>
internal static class TestClock
{
    public static readonly DateTimeOffset Now = new(2026, 3, 15, 10, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);

    public static DateTimeOffset Later(int minutes) => Now.AddMinutes(minutes);
}
