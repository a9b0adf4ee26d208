using System.Reflection;
using IdentityRef.Application;
using Microsoft.Extensions.Logging;

namespace IdentityRef.Server.Tests.Hosting;

/// <summary>
/// One registry of log event ids (<see cref="LogEvents"/>): no two constants share a number, and every
/// <c>[LoggerMessage]</c> of the solution takes a number from it, each number for one message only.
/// </summary>
public sealed class LogEventsTests
{
    private static readonly Dictionary<string, int> Registry = typeof(LogEvents)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int))
        .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    /// <summary>Every [LoggerMessage] method of the IdentityRef assemblies, with its event id.</summary>
    private static readonly List<(string Method, int EventId)> Messages = new[]
        {
            typeof(LogEvents).Assembly, typeof(Program).Assembly, typeof(IdentityRef.Persistence.IdentityRefDbContext).Assembly,
            typeof(IdentityRef.Domain.Identities.Identity).Assembly, typeof(IdentityRef.Hl7.Hl7Message).Assembly, typeof(IdentityRef.Insi.InsiClient).Assembly,
            typeof(IdentityRef.Matching.MatchEngine).Assembly,
        }
        .SelectMany(a => a.GetTypes())
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
        .Where(x => x.Attribute is not null)
        .Select(x => ($"{x.Method.DeclaringType!.FullName}.{x.Method.Name}", x.Attribute!.EventId))
        .ToList();

    [Fact]
    public void EveryConstant_HasItsOwnNumber()
    {
        var shared = Registry.GroupBy(c => c.Value).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(c => c.Key))}");
        Assert.Empty(shared);
    }

    [Fact]
    public void EveryLoggerMessage_TakesItsIdFromLogEvents()
    {
        Assert.NotEmpty(Messages);
        var known = Registry.Values.ToHashSet();
        Assert.Empty(Messages.Where(m => !known.Contains(m.EventId)).Select(m => $"{m.Method} uses {m.EventId}, not in LogEvents"));
    }

    [Fact]
    public void NoTwoLoggerMessages_ShareAnId()
    {
        var shared = Messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");
        Assert.Empty(shared);
    }
}
