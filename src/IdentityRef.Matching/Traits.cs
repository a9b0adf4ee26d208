namespace IdentityRef.Matching;

/// <summary>The traits compared for every pair, in the order they appear in a <see cref="MatchResult"/>.</summary>
public enum Trait
{
    BirthName,
    FirstNames,
    BirthDate,
    Sex,
    BirthPlace,
    Ins,
    Postcode,
    City,
    Address,
}

/// <summary>The discrete agreement levels each comparator returns; level -1 means a value is missing.</summary>
public static class TraitLevels
{
    public const int Missing = -1;

    public static readonly IReadOnlyList<Trait> All = Enum.GetValues<Trait>();

    private static readonly string[][] Names =
    [
        /* BirthName  */ ["Different", "Phonetic", "Close", "CompoundPart", "BirthUsedCrossed", "Exact"],
        /* FirstNames */ ["Different", "Similar", "Phonetic", "Close", "Contained", "Exact"],
        /* BirthDate  */ ["Different", "TwoOfThreeParts", "OneDigit", "DayMonthSwapped", "Exact"],
        /* Sex        */ ["Different", "Exact"],
        /* BirthPlace */ ["Different", "SameDepartment", "Exact"],
        /* Ins        */ ["Different", "Exact"],
        /* Postcode   */ ["Different", "SameArea", "Exact"],
        /* City       */ ["Different", "Close", "Exact"],
        /* Address    */ ["Different", "Similar", "Close", "Exact"],
    ];

    public static int Count(Trait trait) => Names[(int)trait].Length;

    public static string Name(Trait trait, int level) => level == Missing ? "Missing" : Names[(int)trait][level];

    /// <summary>The highest level of a trait: full agreement.</summary>
    public static int Top(Trait trait) => Count(trait) - 1;

    public static class BirthName
    {
        public const int Different = 0, Phonetic = 1, Close = 2, CompoundPart = 3, Crossed = 4, Exact = 5;
    }

    public static class FirstNames
    {
        public const int Different = 0, Similar = 1, Phonetic = 2, Close = 3, Contained = 4, Exact = 5;
    }

    public static class BirthDate
    {
        public const int Different = 0, TwoOfThree = 1, OneDigit = 2, DayMonthSwapped = 3, Exact = 4;
    }
}
