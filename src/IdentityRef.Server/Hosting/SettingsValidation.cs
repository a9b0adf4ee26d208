using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// Start-up validation of a settings section that names every failure by its configuration key, as an operator types it
/// (<c>Hl7:AckTimeoutSeconds</c>, <c>Scheduler:InsiRetry:MaxAttempts</c>, <c>Security:ApiKeys:0:Name</c>): the
/// data annotations of the options and of the option objects and lists they hold (which <c>ValidateDataAnnotations</c>
/// does not descend into, and which it names by the bare property), and every enum setting holding a defined value
/// (the binder takes <c>5</c> for an enum of two names). No failure quotes a value: a setting may be a secret.
/// </summary>
public static class SettingsValidation
{
    /// <summary>Validates <typeparamref name="T"/>, bound from <paramref name="section"/>, by its annotations and enums (with <c>ValidateOnStart</c>: at start).</summary>
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> builder, string section)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new SectionValidation<T>(builder.Name, section));
        return builder;
    }

    /// <summary>Every failure of <paramref name="settings"/> (bound from the section <paramref name="path"/>), each naming its key.</summary>
    public static IReadOnlyList<string> Check(object settings, string path)
    {
        var failures = new List<string>();
        Walk(settings, path, failures, depth: 0);
        return failures;
    }

    /// <summary>"must be one of A, B", the words every enum failure uses, the binder's as well as ours.</summary>
    public static string OneOf(Type enumType) => "must be one of " + string.Join(", ", Enum.GetNames(enumType));

    private const int MaxDepth = 8; // settings are shallow; this only guards against a cycle

    private static void Walk(object settings, string path, List<string> failures, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // Only what the binder sets: a computed property (Hl7Options.Zone) is not a setting and may throw.
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true } || property.SetMethod is not { IsPublic: true })
            {
                continue;
            }
            var key = $"{path}:{property.Name}";
            var value = property.GetValue(settings);
            var results = new List<ValidationResult>();
            var context = new ValidationContext(settings) { MemberName = property.Name, DisplayName = key };
            if (!Validator.TryValidateProperty(value, context, results))
            {
                failures.AddRange(results.Select(r => KeyFirst(r.ErrorMessage, key)));
            }
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (value is null)
            {
                continue;
            }
            if (type.IsEnum)
            {
                if (!Enum.IsDefined(type, value))
                {
                    failures.Add($"{key} {OneOf(type)}.");
                }
            }
            else if (IsSettings(type))
            {
                Walk(value, key, failures, depth + 1);
            }
            else if (value is IList list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is { } item && IsSettings(item.GetType()))
                    {
                        Walk(item, $"{key}:{i}", failures, depth + 1);
                    }
                }
            }
        }
    }

    /// <summary>The annotations' English messages with the key first: "The field K must be …" as "K must be …", "The K field is required." as "K is required.".</summary>
    private static string KeyFirst(string? message, string key)
    {
        if (message is null)
        {
            return $"{key} is not valid.";
        }
        if (message.StartsWith($"The field {key} ", StringComparison.Ordinal))
        {
            return key + message[$"The field {key}".Length..];
        }
        return message == $"The {key} field is required." ? $"{key} is required." : message;
    }

    /// <summary>An option object of ours (not a string, a collection or a framework type).</summary>
    private static bool IsSettings(Type type) =>
        type.IsClass && type.Namespace?.StartsWith("IdentityRef.", StringComparison.Ordinal) == true;

    private sealed class SectionValidation<T>(string? optionsName, string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            if (optionsName is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }
            var failures = Check(options, section);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
