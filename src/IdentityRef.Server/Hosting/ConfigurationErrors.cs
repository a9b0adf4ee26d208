using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// A setting that does not validate stops the server (and every command) before it touches the database or opens a
/// port: one line on standard error and in the log naming the setting and what it accepts, exit code
/// <see cref="Program.ConfigurationError"/> (78, EX_CONFIG), no stack trace. The line never quotes a configured value
/// (a setting may hold a password); no setting holds patient data.
/// </summary>
public static partial class ConfigurationErrors
{
    public const string Prefix = "Invalid configuration: ";

    /// <summary>
    /// The operator's sentence for an error of the configuration: a validation failure (<c>ValidateOnStart</c>, or one
    /// thrown while the services are composed), a value the configuration binder could not convert, an unreadable
    /// settings file. Null for anything else (a bug keeps its stack trace).
    /// </summary>
    public static string? Describe(Exception error) => error switch
    {
        OptionsValidationException validation => string.Join(" ", validation.Failures.Select(Sentence)),
        AggregateException { InnerExceptions.Count: > 0 } many when many.InnerExceptions.Select(Describe).ToList() is var all && all.All(d => d is not null)
            => string.Join(" ", all.Distinct()),
        InvalidOperationException when FromBinder(error) && FailedConversion().Match(error.Message) is { Success: true } match
            => Conversion(match.Groups["key"].Value, match.Groups["type"].Value),
        InvalidDataException when error.Message.StartsWith("Failed to load configuration from file", StringComparison.Ordinal)
            => error.Message + (error.InnerException is { } cause ? " " + Innermost(cause).Message : ""), // the JSON reader's line and position
        _ => null,
    };

    /// <summary>Writes <paramref name="problem"/> to standard error and to the log (console and file as configured), at critical.</summary>
    public static void Report(IConfiguration? configuration, string problem)
    {
        Console.Error.WriteLine(Prefix + problem);
        using var loggers = LoggerFactory.Create(logging => ServerSetup.ConfigureLogging(logging, configuration ?? new ConfigurationBuilder().Build()));
        loggers.CreateLogger("IdentityRef.Server").ConfigurationInvalid(problem);
    }

    // The reflection binder (ConfigurationBinder) or the source-generated one: both live under this namespace.
    private static bool FromBinder(Exception error) =>
        error.TargetSite?.DeclaringType?.Namespace?.StartsWith("Microsoft.Extensions.Configuration", StringComparison.Ordinal) == true;

    private static Exception Innermost(Exception error) => error.InnerException is { } inner ? Innermost(inner) : error;

    /// <summary>A failure as one sentence.</summary>
    private static string Sentence(string failure)
    {
        var trimmed = failure.Trim();
        return trimmed.EndsWith('.') ? trimmed : trimmed + ".";
    }

    /// <summary>The binder's "Failed to convert configuration value '…' at 'Hl7:Inbound:Durability' to type '…'", without the value.</summary>
    private static string Conversion(string key, string typeName)
    {
        var type = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        var expected = type switch
        {
            null => "has a value that cannot be read",
            { IsEnum: true } => SettingsValidation.OneOf(type),
            _ when type == typeof(bool) => "must be true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
                || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) => "must be a whole number",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "must be a number (with '.' as the decimal point)",
            _ when type == typeof(TimeSpan) => "must be a duration (hh:mm:ss)",
            _ when type == typeof(Uri) => "must be a URI",
            _ when type == typeof(Guid) => "must be a UUID",
            _ => $"has a value that cannot be read as {type.Name}",
        };
        return $"{key} {expected}.";
    }

    [GeneratedRegex(@"^Failed to convert configuration value '.*' at '(?<key>[^']+)' to type '(?<type>[^']+)'\.?$", RegexOptions.Singleline)]
    private static partial Regex FailedConversion();
}
