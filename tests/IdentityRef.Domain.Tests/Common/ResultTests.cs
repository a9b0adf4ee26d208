using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Tests.Common;

public sealed class ResultTests
{
    [Fact]
    public void ToString_OfAFailure_ListsTheFieldsWithoutThrowing()
    {
        Result<string> result = new FieldError("birthName", "invalid-character", "message");

        Assert.Contains("birthName", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_OfASuccess_DoesNotRevealTheValue()
    {
        Result<string> result = "DUPONT";

        Assert.DoesNotContain("DUPONT", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Value_OfAFailure_Throws()
    {
        Result<string> result = new FieldError("sex", "required", "message");

        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Fact]
    public void Failure_WithNoError_IsABug() =>
        Assert.Throws<ArgumentException>(() => Result<string>.Failure([]));

    [Fact]
    public void ErrorCollector_Take_KeepsValuesAndCollectsEveryError()
    {
        var errors = new ErrorCollector();

        var kept = errors.Take(Result<string>.Success("A"));
        var lost = errors.Take<string>(new FieldError("sex", "required", "m"));
        errors.Add("phone", "invalid-format", "m");

        Assert.Equal("A", kept);
        Assert.Null(lost);
        Assert.Equal(["sex", "phone"], errors.Errors.Select(e => e.Field));
    }
}
