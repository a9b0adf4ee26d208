namespace IdentityRef.Domain.Common;

/// <summary>One problem with one input field: what a user must fix, and where.</summary>
/// <param name="Field">The field name as the API spells it (camelCase), e.g. <c>birthName</c>.</param>
/// <param name="Code">A stable machine code, e.g. <c>invalid-character</c>.</param>
/// <param name="Message">A sentence for the person who typed the value.</param>
public sealed record FieldError(string Field, string Code, string Message);

/// <summary>A remark that does not prevent the operation (e.g. an unknown but well-formed birth place).</summary>
public sealed record FieldWarning(string Field, string Code, string Message);
