using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityRef.Insi.Simulator;

/// <summary>An INS (active or former) held by the simulator.</summary>
public sealed record SimulatedIns(string Matricule, string Key, string Oid, string? ValidFrom = null, string? ValidTo = null);

/// <summary>
/// One identity of the simulator's base: the INS traits (first names as one space-separated list), the active
/// INS and the former ones (returned as INSHISTO, in this order).
/// </summary>
public sealed record SimulatedIdentity(
    string BirthName,
    string FirstNames,
    char Sex,
    string BirthDate,
    string BirthPlace,
    SimulatedIns Ins,
    IReadOnlyList<SimulatedIns> History,
    bool Generated = false)
{
    public string FirstFirstName => FirstNames.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    /// <summary>
    /// The first-name rule of the real service, as its answers show (TCHITCHI: 01 on OLA, 00 on CATARINA for the
    /// list "CATARINA BELLA"): the first names sent match when they equal the first element of the list or the
    /// whole list. Nothing sent: no first-name filter.
    /// </summary>
    public bool MatchesFirstNames(string? sent) =>
        sent is null
        || string.Equals(sent, FirstFirstName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(sent, FirstNames, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Reads the simulator's identities from the JSON file of data/insi/.</summary>
public static class SimulatedIdentityFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads and checks the file; a missing or invalid file is a start-up error and throws.</summary>
    public static IReadOnlyList<SimulatedIdentity> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("INSi simulator data file not found.", path);
        }

        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize<FileShape>(stream, Json)
            ?? throw new InvalidDataException($"INSi simulator data file {path} is empty.");
        return (file.Identities ?? []).Select((entry, index) => entry.ToIdentity(path, index)).ToList();
    }

    private sealed record FileShape([property: JsonPropertyName("identities")] List<EntryShape>? Identities);

    private sealed record InsShape(string? Matricule, string? Key, string? Oid, string? ValidFrom, string? ValidTo)
    {
        public SimulatedIns ToIns(string where)
        {
            if (!InsiFormats.IsMatricule13(Matricule) || !InsiFormats.IsKey(Key) || string.IsNullOrWhiteSpace(Oid))
            {
                throw new InvalidDataException($"{where}: an INS needs a 13-character matricule, a 2-digit key and an OID.");
            }

            return new SimulatedIns(Matricule!, Key!, Oid!, ValidFrom, ValidTo);
        }
    }

    private sealed record EntryShape(
        string? BirthName, string? FirstNames, string? Sex, string? BirthDate, string? BirthPlace,
        InsShape? Ins, List<InsShape>? History, bool Generated)
    {
        public SimulatedIdentity ToIdentity(string path, int index)
        {
            var where = $"{path} identity #{index}";
            if (string.IsNullOrWhiteSpace(BirthName) || string.IsNullOrWhiteSpace(FirstNames) || Sex is not ("M" or "F")
                || !InsiFormats.IsLunarDate(BirthDate) || !InsiFormats.IsBirthPlaceCode(BirthPlace) || Ins is null)
            {
                throw new InvalidDataException($"{where}: birthName, firstNames, sex (M/F), birthDate, birthPlace and ins are required.");
            }

            return new SimulatedIdentity(
                BirthName, FirstNames, Sex[0], BirthDate!, BirthPlace!, Ins.ToIns(where),
                (History ?? []).Select(h => h.ToIns(where)).ToList(), Generated);
        }
    }
}
