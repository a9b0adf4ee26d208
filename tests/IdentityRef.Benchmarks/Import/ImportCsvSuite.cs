using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bogus;

namespace IdentityRef.Benchmarks;

/// <summary>
/// <c>import-csv FILE COUNT</c>: writes an import file of realistic French identities (Bogus, fr) for the import
/// benchmark, with about 0.5 % of rows broken on purpose (digits in a name, impossible dates) so that the
/// rejection path is measured too. Fixed seed: the same file every time.
/// </summary>
public static partial class BenchmarkSuites
{
    static partial void RegisterImport(Dictionary<string, Func<string[], int>> suites) => suites["import-csv"] = WriteImportCsv;

    private static int WriteImportCsv(string[] args)
    {
        if (args.Length < 2 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var count))
        {
            Console.Error.WriteLine("usage: import-csv FILE COUNT");
            return 2;
        }
        var stopwatch = Stopwatch.StartNew();
        var faker = new Faker("fr") { Random = new Randomizer(1234) };
        var today = new DateOnly(2026, 1, 1);
        using var writer = new StreamWriter(args[0], false, new UTF8Encoding(false), 1 << 20);
        writer.Write("external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone\n");
        string[] places = ["75112", "69123", "13055", "31555", "33063", "59350", "2A004", "97411", "99350", "44109"];
        var line = new StringBuilder(256);
        for (var i = 0; i < count; i++)
        {
            var female = faker.Random.Bool();
            var gender = female ? Bogus.DataSets.Name.Gender.Female : Bogus.DataSets.Name.Gender.Male;
            var name = faker.Name.LastName();
            if (faker.Random.Double() < 0.1)
            {
                name += "-" + faker.Name.LastName();
            }
            var birth = faker.Date.BetweenDateOnly(today.AddYears(-100), today.AddDays(-1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var broken = faker.Random.Double() < 0.005;
            if (broken)
            {
                (name, birth) = faker.Random.Bool() ? (name + "2", birth) : (name, birth[..5] + "13-40");
            }
            line.Clear()
                .Append("EXT").Append(i.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Csv(name)).Append(',')
                .Append(Csv(faker.Name.FirstName(gender) + (faker.Random.Bool() ? " " + faker.Name.FirstName(gender) : ""))).Append(',')
                .Append(birth).Append(',')
                .Append(female ? 'F' : 'M').Append(',')
                .Append(faker.PickRandom(places)).Append(',')
                .Append(female && faker.Random.Double() < 0.3 ? Csv(faker.Name.LastName()) : "").Append(",,")
                .Append(Csv(faker.Address.StreetAddress())).Append(',')
                .Append(faker.Random.Int(1000, 95999).ToString("00000", CultureInfo.InvariantCulture)).Append(',')
                .Append(Csv(faker.Address.City())).Append(',')
                .Append(faker.Phone.PhoneNumber("0# ## ## ## ##"))
                .Append('\n');
            writer.Write(line);
        }
        Console.WriteLine($"wrote {count} rows to {args[0]} in {stopwatch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static string Csv(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}
