namespace IdentityRef.Matching;

/// <summary>Jaro–Winkler similarity (prefix scale 0.1, prefix up to 4), allocation-free for names.</summary>
public static class JaroWinkler
{
    public static double Similarity(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 1.0 : 0.0;
        }
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 1.0;
        }
        if (a.Length > b.Length)
        {
            (a, b) = (b, a);
        }
        var window = Math.Max(0, (b.Length / 2) - 1);
        Span<bool> matchedA = a.Length <= 128 ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> matchedB = b.Length <= 128 ? stackalloc bool[b.Length] : new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var start = Math.Max(0, i - window);
            var end = Math.Min(b.Length - 1, i + window);
            for (var j = start; j <= end; j++)
            {
                if (!matchedB[j] && a[i] == b[j])
                {
                    matchedA[i] = true;
                    matchedB[j] = true;
                    matches++;
                    break;
                }
            }
        }
        if (matches == 0)
        {
            return 0.0;
        }
        var transpositions = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!matchedA[i])
            {
                continue;
            }
            while (!matchedB[k])
            {
                k++;
            }
            if (a[i] != b[k])
            {
                transpositions++;
            }
            k++;
        }
        double m = matches;
        var jaro = ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2.0)) / m)) / 3.0;
        var prefix = 0;
        var maxPrefix = Math.Min(4, a.Length);
        while (prefix < maxPrefix && a[prefix] == b[prefix])
        {
            prefix++;
        }
        return jaro + (prefix * 0.1 * (1.0 - jaro));
    }

    /// <summary>
    /// One keying error apart: one letter substituted, inserted, deleted, or two adjacent letters swapped.
    /// Greedy Jaro–Winkler scores some of these low (PONPENSON/POLPENSON: 0.84), so names use both.
    /// </summary>
    public static bool IsOneEditApart(string a, string b)
    {
        if (a.Length > b.Length)
        {
            (a, b) = (b, a);
        }
        if (b.Length - a.Length > 1 || a == b)
        {
            return false;
        }
        var i = 0;
        while (i < a.Length && a[i] == b[i])
        {
            i++;
        }
        if (a.Length == b.Length)
        {
            if (a.AsSpan(i + 1).SequenceEqual(b.AsSpan(i + 1)))
            {
                return true;
            }
            return i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a.AsSpan(i + 2).SequenceEqual(b.AsSpan(i + 2));
        }
        return a.AsSpan(i).SequenceEqual(b.AsSpan(i + 1));
    }
}
