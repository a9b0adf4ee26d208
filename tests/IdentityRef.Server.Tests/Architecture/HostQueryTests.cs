using System.Reflection;
using System.Reflection.Emit;
using IdentityRef.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IdentityRef.Server.Tests.Architecture;

/// <summary>
/// The host translates (HTTP, HL7 bytes, cron, command line ↔ use case); the queries and the rules are Application's
/// (issue 11). Read from the compiled host: every method body (lambdas and async state machines included) is scanned for
/// a use of the database — a member of <see cref="IdentityRefDbContext"/>, a <c>DbSet</c>, EF's or LINQ's query operators
/// on <see cref="IQueryable"/>. Only the hosting plumbing may touch it: registering the context, migrating the schema
/// from the command line, the health probes' round trip to the database.
/// </summary>
public sealed class HostQueryTests
{
    private static readonly string[] Allowed =
    [
        "IdentityRef.Server.Hosting.", // registration, health and write probes
        "IdentityRef.Server.Cli.CommandLine", // `migrate`, the schema check before a command
        "IdentityRef.Server.Program", // migrating the schema at start
    ];

    private static readonly string[] KnownDebt = [];

    [Fact]
    public void TheHost_QueriesNothing_BeyondItsPlumbing()
    {
        var offenders = typeof(Program).Assembly.GetTypes()
            .Where(t => !Allowed.Any(a => OuterName(t).StartsWith(a, StringComparison.Ordinal)))
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>().Concat(t.GetConstructors(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)))
            .Where(TouchesTheDatabase)
            .Select(m => OuterName(m.DeclaringType!))
            .Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.True(KnownDebt.SequenceEqual(offenders), "touching the database: " + string.Join(", ", offenders));
    }

    [Fact]
    public void TheScan_SeesAQuery() // the scanner itself: it must find the query below
    {
        var method = typeof(HostQueryTests).GetMethod(nameof(AQuery), BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.True(TouchesTheDatabase(method));
        Assert.False(TouchesTheDatabase(typeof(HostQueryTests).GetMethod(nameof(TheScan_SeesAQuery))!));
    }

    private static Task<int> AQuery(IdentityRefDbContext db) => db.Identities.Where(i => i.Ipp == "1").CountAsync();

    /// <summary>The outermost type's full name: a lambda's closure or an async state machine counts as its declaring class.</summary>
    private static string OuterName(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type.FullName ?? type.Name;
    }

    private static bool TouchesTheDatabase(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException)
        {
            return false;
        }
        if (il is null)
        {
            return false;
        }
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method is MethodInfo { IsGenericMethod: true } g ? g.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += code.Size;
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok or OperandType.InlineType)
            {
                var token = BitConverter.ToInt32(il, at);
                MemberInfo? member;
                try
                {
                    member = module.ResolveMember(token, typeArgs, methodArgs);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException)
                {
                    member = null;
                }
                if (member is not null && IsDatabase(member))
                {
                    return true;
                }
            }
            at += OperandSize(code.OperandType, il, at);
        }
        return false;
    }

    private static bool IsDatabase(MemberInfo member)
    {
        var type = member as Type ?? member.DeclaringType;
        if (type is null)
        {
            return false;
        }
        if (type.IsGenericType)
        {
            type = type.GetGenericTypeDefinition();
        }
        return typeof(DbContext).IsAssignableFrom(type) && member is not Type
            || type == typeof(DbSet<>)
            || type == typeof(EntityFrameworkQueryableExtensions)
            || type == typeof(RelationalQueryableExtensions)
            || type == typeof(Queryable);
    }

    private static int OperandSize(OperandType operand, byte[] il, int at) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static HostQueryTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            if (code.Size == 1)
            {
                OneByte[(ushort)code.Value] = code;
            }
            else
            {
                TwoByte[(ushort)code.Value & 0xFF] = code;
            }
        }
    }
}
