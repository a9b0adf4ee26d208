namespace IdentityRef.Domain.Common;

/// <summary>
/// The outcome of validating user input: a value, or the list of field errors. Expected failures are
/// results, never exceptions.
/// </summary>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, IReadOnlyList<FieldError> errors)
    {
        _value = value;
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }

    public bool IsSuccess => Errors is null || Errors.Count == 0;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException("The result holds errors, not a value.");

    public static Result<T> Success(T value) => new(value, []);

    public static Result<T> Failure(IReadOnlyList<FieldError> errors) =>
        errors.Count == 0 ? throw new ArgumentException("A failure needs at least one error.", nameof(errors)) : new(default, errors);

    public static Result<T> Failure(FieldError error) => new(default, [error]);

    public static implicit operator Result<T>(FieldError error) => Failure(error);

    public static implicit operator Result<T>(T value) => Success(value);

    // The synthesized ToString read Value (throwing on a failure) and would print patient data into logs.
    public override string ToString() =>
        IsSuccess ? "Success" : $"Failure({string.Join(", ", Errors.Select(e => $"{e.Field}: {e.Code}"))})";
}

/// <summary>Collects the field errors of a whole request, so that every bad field is reported at once.</summary>
public sealed class ErrorCollector
{
    private readonly List<FieldError> _errors = [];

    public IReadOnlyList<FieldError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void Add(FieldError error) => _errors.Add(error);

    public void Add(string field, string code, string message) => _errors.Add(new FieldError(field, code, message));

    /// <summary>Keeps the value of a successful result; records the errors of a failed one.</summary>
    public T? Take<T>(Result<T> result)
    {
        if (result.IsSuccess)
        {
            return result.Value;
        }
        _errors.AddRange(result.Errors);
        return default;
    }
}
