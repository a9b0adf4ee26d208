using IdentityRef.Domain.Common;

namespace IdentityRef.Domain.Tests.Common;

public sealed class TextPolicyTests
{
    [Theory]
    [InlineData("\0")]
    [InlineData("\a")]
    [InlineData("\t")]
    [InlineData("\u001B")]
    [InlineData("\u007F")]
    [InlineData("\u0085")]
    [InlineData("\u009F")]
    [InlineData("\u202A")]
    [InlineData("\u202E")]
    [InlineData("\u2066")]
    [InlineData("\u2069")]
    [InlineData("\uFFFD")]
    [InlineData("\uFFFF")]
    [InlineData("\uD800")]
    [InlineData("\uDC00")]
    public void RefusedCharacter_AnywhereInTheValue_IsAnErrorNamingTheField(string refused)
    {
        foreach (var value in new[] { refused, "12 rue des Lilas" + refused, refused + "Paris", "a" + refused + "b" })
        {
            var error = TextPolicy.Check(value, "address");
            Assert.NotNull(error);
            Assert.Equal(("address", TextPolicy.Code), (error!.Field, error.Code));
            Assert.DoesNotContain("Lilas", error.Message, StringComparison.Ordinal); // the code point, never the value
        }
    }

    [Theory]
    [InlineData("12 rue de l'Église")]
    [InlineData("Zürich")]
    [InlineData("Bâtiment B — 3ᵉ étage")]
    [InlineData("jp.o'neil+tag@example.org")]
    [InlineData("+33 1 23 45 67 89")]
    [InlineData("\u0645\u0631\u062D\u0628\u0627")] // right-to-left letters are text, not controls
    [InlineData("\U0001F600")]                      // a whole surrogate pair
    [InlineData("")]
    [InlineData(null)]
    public void OrdinaryText_IsAccepted(string? value) => Assert.Null(TextPolicy.Check(value, "city"));
}
