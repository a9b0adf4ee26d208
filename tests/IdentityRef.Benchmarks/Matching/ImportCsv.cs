using System.Globalization;
using System.Text;
using IdentityRef.Matching;

namespace IdentityRef.Benchmarks.Matching;

/// <summary>Reads the import CSV format (external_id,birth_name,first_names,birth_date,...) into match records.</summary>
public static class ImportCsv
{
    public static List<MatchRecord> Read(string path)
    {
        var records = new List<MatchRecord>();
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = Split(reader.ReadLine() ?? throw new InvalidDataException("empty file"));
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException("missing column " + name);
        int id = Col("external_id"), birth = Col("birth_name"), firsts = Col("first_names"), date = Col("birth_date"), sex = Col("sex"),
            place = Col("birth_place_code"), used = Col("used_name"), usedFirst = Col("used_first_name"), address = Col("address"),
            postcode = Col("postcode"), city = Col("city");
        while (reader.ReadLine() is { } line)
        {
            var f = Split(line);
            string? Opt(int i) => f[i].Length == 0 ? null : f[i];
            records.Add(new MatchRecord(
                f[id],
                f[birth],
                f[firsts].Split(' ', StringSplitOptions.RemoveEmptyEntries),
                Opt(used),
                Opt(usedFirst),
                DateOnly.TryParseExact(f[date], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null,
                f[sex].Length == 1 ? f[sex][0] : 'U',
                Opt(place),
                null,
                Opt(postcode),
                Opt(city),
                Opt(address)));
        }
        return records;
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
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
        return fields.ToArray();
    }
}
