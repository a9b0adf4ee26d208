using IdentityRef.Domain.Common;

namespace IdentityRef.Server.Web;

/// <summary>What a page tells the user after an action: errors (by field where there is one), warnings, a success.</summary>
public sealed class WebMessages
{
    public List<(string? Field, string Message)> Errors { get; } = [];
    public List<string> Warnings { get; } = [];
    public string? Success { get; set; }

    public void Add(IEnumerable<FieldError> errors) => Errors.AddRange(errors.Select(e => ((string?)e.Field, FrenchText.Message(e))));

    public void Add(IEnumerable<FieldWarning> warnings) => Warnings.AddRange(warnings.Select(FrenchText.Message));

    public void Add(DomainRuleException rule) => Errors.Add((null, FrenchText.Message(rule)));

    /// <summary>The messages a previous request left for this page (post, redirect, get).</summary>
    public void TakeFrom(Microsoft.AspNetCore.Mvc.ViewFeatures.ITempDataDictionary tempData)
    {
        if (tempData[Pages.Identites.FichePage.SuccessKey] is string success)
        {
            Success = success;
        }
        if (tempData[Pages.Identites.FichePage.WarningsKey] is string { Length: > 0 } warnings)
        {
            Warnings.AddRange(warnings.Split('\n'));
        }
        if (tempData[Pages.Identites.FichePage.ErrorKey] is string error)
        {
            Errors.Add((null, error));
        }
    }

    public string? ErrorOf(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;
}

/// <summary>One labelled form field with its hint and its error, wired for screen readers.</summary>
public sealed record FormField(string Name, string Label, string? Value, string? Error, string Type = "text", string? Hint = null,
    bool Required = false, string? AutoComplete = "off")
{
    /// <summary>The name the form posts, when it differs from the field's id (the error summary links to the id).</summary>
    public string? InputName { get; init; }
}
