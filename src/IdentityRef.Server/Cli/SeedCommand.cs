using IdentityRef.Application.Audit;
using IdentityRef.Application.Patients;
using System.Diagnostics;
using System.Globalization;
using Bogus;
using IdentityRef.Domain.Identities;
using IdentityRef.Domain.Ins;
using IdentityRef.Domain.Traits;
using IdentityRef.Server.Hosting;
using IdentityRef.Application.Import;

namespace IdentityRef.Server.Cli;

/// <summary>
/// <c>seed --count N</c>: realistic French identities for demos and benchmarks: particles, compound and
/// hyphenated names, apostrophes, used names, and a mix of statuses. Qualified ones carry an INS of the
/// test authority (OID …4.10), never a real one.
/// </summary>
public sealed class SeedCommand(IServiceProvider services)
{
    private static readonly string[] Particles = ["DE ", "D'", "LE ", "LA ", "DU ", "DES ", "DE LA ", "L'"];

    private static readonly string[] BirthPlaces =
        ["75056", "75112", "69123", "13055", "31555", "33063", "59350", "67482", "44109", "06088", "35238", "2A004", "2B033", "97411", "99350", "99352", "99134", "99127"];

    // Demo data only: the hospital's own list of high-trust documents applies to real checks.
    private static readonly string[] SeedDocumentTypes = ["PA", "CN"];

    public async Task<int> RunAsync(int count, int randomSeed, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var faker = new Faker("fr") { Random = new Randomizer(randomSeed) };
        var places = services.GetRequiredService<IBirthPlaceDirectory>();
        var today = DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var writer = new IdentityBatch(services, deferMatchKeys: true);
        var actor = new Actor("cli:seed", Guid.NewGuid().ToString("N"));
        var batch = new List<IdentityBatch.NewIdentity>();
        var issued = new HashSet<string>(StringComparer.Ordinal);
        var created = 0;
        while (created + batch.Count < count)
        {
            var input = NextPerson(faker, today);
            var traits = IdentityValidator.Validate(input, places, today);
            if (!traits.IsSuccess)
            {
                continue; // a generated name outside the INS alphabet: draw another
            }
            batch.Add(new IdentityBatch.NewIdentity(traits.Value, null, null, StatusMix(faker, traits.Value.Strict, issued)));
            if (batch.Count == 5_000)
            {
                await writer.WriteAsync(batch, actor, "identity.seeded", cancellationToken);
                created += batch.Count;
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            await writer.WriteAsync(batch, actor, "identity.seeded", cancellationToken);
            created += batch.Count;
        }
        var written = stopwatch.Elapsed;
        var (keyed, keys) = await writer.CompleteAsync(cancellationToken);
        Console.WriteLine($"seeded {created} identities in {stopwatch.Elapsed.TotalSeconds:F1} s " +
            $"(identities {written.TotalSeconds:F1} s, then {keys} blocking keys of {keyed} identities in {(stopwatch.Elapsed - written).TotalSeconds:F1} s)");
        services.GetRequiredService<ILogger<SeedCommand>>().SeedFinished(created, stopwatch.ElapsedMilliseconds);
        return 0;
    }

    internal static IdentityInput NextPerson(Faker faker, DateOnly today)
    {
        var female = faker.Random.Bool();
        var gender = female ? Bogus.DataSets.Name.Gender.Female : Bogus.DataSets.Name.Gender.Male;
        var birthName = Surname(faker);
        var roll = faker.Random.Double();
        if (roll < 0.12)
        {
            birthName = faker.PickRandom(Particles) + birthName;
        }
        else if (roll < 0.22)
        {
            birthName = birthName + "-" + faker.Name.LastName();
        }
        var firstNames = Enumerable.Range(0, faker.Random.WeightedRandom([1, 2, 3], [0.45f, 0.4f, 0.15f]))
            .Select(i => i == 0 && faker.Random.Double() < 0.1 ? faker.Name.FirstName(gender) + "-" + faker.Name.FirstName(gender) : faker.Name.FirstName(gender))
            .Distinct().ToList();
        var birthDate = faker.Date.BetweenDateOnly(today.AddYears(-100), today.AddDays(-1));
        var usedName = female && birthDate < today.AddYears(-20) && faker.Random.Double() < 0.4 ? Surname(faker) : null;
        return new IdentityInput
        {
            BirthName = birthName,
            FirstNames = string.Join(' ', firstNames),
            BirthDate = birthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Sex = female ? "F" : "M",
            BirthPlaceCode = faker.PickRandom(BirthPlaces),
            UsedName = usedName,
            Address = faker.Address.StreetAddress(),
            Postcode = faker.Address.ZipCode("#####"),
            City = faker.Address.City(),
            Phone = faker.Phone.PhoneNumber("0# ## ## ## ##"),
        };
    }

    /// <summary>
    /// Half Bogus surnames, half built from French-sounding syllables: Bogus has a few hundred surnames and France over a
    /// million, and a seeded million people sharing a few hundred names makes blocks (and duplicate detection) nothing
    /// like a real base's. The matching benchmark's generator does the same.
    /// </summary>
    private static string Surname(Faker faker) =>
        faker.Random.Bool()
            ? faker.Name.LastName()
            : string.Concat(Enumerable.Range(0, faker.Random.Int(2, 3)).Select(_ => faker.PickRandom(SurnameSyllables)));

    private static readonly string[] SurnameSyllables =
    [
        "BER", "NAR", "DU", "PON", "MAR", "TIN", "LE", "ROUX", "GAR", "NIER", "FOU", "CHER", "BLAN", "CHARD", "MOR",
        "VIL", "LAR", "GUE", "RIN", "BOU", "CHET", "LA", "COMBE", "PER", "THI", "BAULT", "CHA", "VAN", "NE", "COL",
        "LIN", "RI", "VIERE", "DES", "CHAMPS", "MON", "TAI", "GNE", "BRU", "NET", "CAR", "PEN", "TIER", "SAU", "VAGE",
        "GI", "RAUD", "FAU", "CON", "MAS", "SON", "BAR", "THE", "MY", "POU", "LAIN", "QUE", "VAL", "LOIS", "JOU",
    ];

    /// <summary>About 55 % PROV, 15 % VALI, 10 % RECUP, 20 % QUAL.</summary>
    private static Action<Identity, DateTimeOffset>? StatusMix(Faker faker, StrictTraits strict, HashSet<string> issued)
    {
        var roll = faker.Random.Double();
        var retrieved = roll >= 0.70;
        var documented = roll is >= 0.55 and < 0.70 || roll >= 0.80;
        if (!retrieved && !documented)
        {
            return null;
        }
        var ins = retrieved ? TestIns(faker, strict, issued) : null;
        return (identity, now) =>
        {
            if (ins is not null)
            {
                identity.AcceptInsiAnswer(ins, [], strict, now, now);
            }
            if (documented)
            {
                identity.CheckDocument(new DocumentCheck(faker.PickRandom(SeedDocumentTypes), null, DateOnly.FromDateTime(now.UtcDateTime).AddYears(5), "cli:seed", now),
                    SeedDocumentTypes, DateOnly.FromDateTime(now.UtcDateTime), now);
            }
        };
    }

    /// <summary>
    /// A well-formed INS of the test authority, built from the traits as a NIR is, unique within the run as the register
    /// makes it: the order number is drawn again when sex, year, month and commune already used it (drawn blindly, a
    /// million identities got ≈ 1,000 INS twice, each a collision the vigilance cell would have to review).
    /// </summary>
    internal static InsNumber TestIns(Faker faker, StrictTraits strict, HashSet<string> issued)
    {
        var place = strict.BirthPlaceCode ?? "99999";
        var prefix = string.Create(CultureInfo.InvariantCulture,
            $"{(strict.Sex == Sex.Female ? 2 : 1)}{strict.BirthDate.Value.Year % 100:00}{strict.BirthDate.Value.Month:00}{place}");
        var order = faker.Random.Int(1, 999);
        // Every order number of a crowded month and commune taken (999 people): the last one drawn is reused.
        for (var attempt = 0; attempt < 999 && issued.Contains(prefix + order.ToString("000", CultureInfo.InvariantCulture)); attempt++)
        {
            order = order % 999 + 1;
        }
        var matricule = prefix + order.ToString("000", CultureInfo.InvariantCulture);
        issued.Add(matricule);
        return InsNumber.FromParts(matricule, InsNumber.ComputeKey(matricule).ToString("00", CultureInfo.InvariantCulture), InsOids.TestNir).Value;
    }
}
