using IdentityRef.Domain.Traits;

namespace IdentityRef.Application.ReferenceData;

/// <summary>
/// Birth places from the COG files shipped in <c>data/cog</c> (current, delegated and associated communes,
/// former communes, countries). Loaded once at start-up.
/// </summary>
public sealed class CogBirthPlaceDirectory : IBirthPlaceDirectory
{
    private readonly Dictionary<string, string> _names;

    private CogBirthPlaceDirectory(Dictionary<string, string> names, IReadOnlyList<(string Code, string Name)> places)
    {
        _names = names;
        Places = places;
    }

    /// <summary>The places a birth can be keyed at today, by name: current communes, municipal arrondissements, countries.</summary>
    public IReadOnlyList<(string Code, string Name)> Places { get; }

    public int Count => _names.Count;

    public bool Contains(string code) => _names.ContainsKey(code);

    public string? NameOf(string code) => _names.GetValueOrDefault(code);

    public static CogBirthPlaceDirectory Load(string folder)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var places = new List<(string Code, string Name)>();
        // communes.csv: code,name,type — the first row of a code (the current commune) names it.
        Read(Path.Combine(folder, "communes.csv"), fields =>
        {
            if (names.TryAdd(fields[0], fields[1]) && fields.Length > 2 && fields[2] is "commune-actuelle" or "arrondissement-municipal")
            {
                places.Add((fields[0], fields[1]));
            }
        });
        Read(Path.Combine(folder, "countries.csv"), fields =>
        {
            if (names.TryAdd(fields[0], fields[1]))
            {
                places.Add((fields[0], fields[1]));
            }
        });
        // former-communes.csv: code,current_code,current_name — a former commune is named by where it went.
        Read(Path.Combine(folder, "former-communes.csv"), fields => names.TryAdd(fields[0], $"(ancienne commune, auj. {fields[2]})"));
        return new CogBirthPlaceDirectory(names, places);
    }

    private static void Read(string path, Action<string[]> row)
    {
        if (!File.Exists(path))
        {
            return;
        }
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length > 0)
            {
                row(SplitCsv(line));
            }
        }
    }

    // The COG files quote only names that hold a comma.
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                if (quoted && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else
                {
                    quoted = !quoted;
                }
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString());
        return [.. fields];
    }
}
