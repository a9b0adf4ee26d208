namespace IdentityRef.Hl7;

/// <summary>The delimiters that MSH-1 and MSH-2 declare.</summary>
/// <remarks>
/// <see cref="EncodingCharacters"/> keeps MSH-2 exactly as received (a v2.7+ truncation character may
/// follow the four classic ones) so that a parsed message encodes back byte for byte.
/// </remarks>
public readonly record struct Hl7Delimiters(char Field, char Component, char Repetition, char Escape, char Subcomponent, string EncodingCharacters)
{
    public static Hl7Delimiters Default { get; } = new('|', '^', '~', '\\', '&', "^~\\&");

    /// <summary>Builds the delimiters from MSH-1 and MSH-2, or returns a reason why they are unusable.</summary>
    public static bool TryCreate(char field, string encodingCharacters, out Hl7Delimiters delimiters, out string? problem)
    {
        delimiters = Default;
        problem = null;
        if (encodingCharacters.Length is < 4 or > 5)
        {
            problem = "MSH-2 must hold 4 (or 5) encoding characters";
            return false;
        }
        Span<char> all = stackalloc char[6];
        all[0] = field;
        encodingCharacters.AsSpan().CopyTo(all[1..]);
        var used = all[..(encodingCharacters.Length + 1)];
        for (int i = 0; i < used.Length; i++)
        {
            char c = used[i];
            if (char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                problem = "a delimiter is a letter, digit, space or control character";
                return false;
            }
            if (used[(i + 1)..].Contains(c))
            {
                problem = "two delimiters are the same character";
                return false;
            }
        }
        delimiters = new Hl7Delimiters(field, encodingCharacters[0], encodingCharacters[1], encodingCharacters[2], encodingCharacters[3], encodingCharacters);
        return true;
    }

    /// <summary>
    /// The character set of the message the delimiters came from (MSH-18): the bytes of a hex escape
    /// (<c>\Xhh..\</c>) are characters of that set. Null (a message built here, or no MSH-18) reads them as Latin-1.
    /// </summary>
    public Hl7Charset? HexCharset { get; init; }

    public bool IsDelimiter(char c) => c == Field || c == Component || c == Repetition || c == Escape || c == Subcomponent;
}
