using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bogus;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Hl7.Pam;

namespace IdentityRef.Benchmarks.Hl7Benchmarks
{
    /// <summary>
    /// Onboarding by HL7 feed (issue #17): replays an ITI-30 feed of A28/A31 (generated French identities, PAM FR as
    /// IdentityRef itself writes it) into a running server's inbound MLLP listener, over one or several connections, and
    /// counts every ACK by its MSA-1 code. Each connection carries its own patients, so a patient's A31 follows its A28 on
    /// the same connection, as a source system sends them. A share of the A28s are people already in the base (taken from
    /// the import file the base was made from, under another domain): check-before-create finds them and the pairs go to
    /// the cell's queue. Messages are built before the clock starts; latency is send → ACK of each message.
    /// Usage: hl7-feed --port P [--host H] [--messages 20000] [--connections 1] [--updates 0.2] [--known-csv FILE]
    ///   [--known 0.01] [--seed 7] [--warmup 3000] [--server-pid PID] [--target 1000]
    /// Exit code 1 when a message is not answered, or when the rate is under the target (one connection only).
    /// </summary>
    public static partial class Hl7FeedSuite
    {
        private const string Domain = "ANCIENRI";

        public static int Run(string[] args)
        {
            var host = Arg(args, "--host", "127.0.0.1");
            var port = Arg(args, "--port", 2575);
            var messages = Arg(args, "--messages", 20_000);
            var connections = Arg(args, "--connections", 1);
            var updates = Arg(args, "--updates", 0.2);
            var knownShare = Arg(args, "--known", 0.01);
            var knownCsv = Arg(args, "--known-csv", "");
            var seed = Arg(args, "--seed", 7);
            var warmup = Arg(args, "--warmup", 3000); // tiered JIT recompiles hot methods for ~10 s of traffic (scripts/bench-hl7.sh)
            var serverPid = Arg(args, "--server-pid", 0);
            var target = Arg(args, "--target", 1000.0);
            var known = knownCsv.Length > 0 ? KnownPeople(knownCsv, 20_000) : [];

            // Ids unique to this run: the base may already hold an earlier run's feed.
            var run = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture) + seed.ToString(CultureInfo.InvariantCulture);
            var warm = Build(warmup, connections, updates, 0, [], seed + 1000, "W" + run);
            var feed = Build(messages, connections, updates, knownShare, known, seed, "F" + run);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"feed: {messages:N0} messages (A28 {feed.Sum(c => c.Count(m => m.Trigger == "A28")):N0}, A31 {feed.Sum(c => c.Count(m => m.Trigger == "A31")):N0}; " +
                $"{feed.Sum(c => c.Count(m => m.Known)):N0} A28 of people already in the base) over {connections} connection(s) to {host}:{port}; warm-up {warmup} not counted"));

            Send(host, port, warm).GetAwaiter().GetResult();
            var loadBefore = LoadAverage();
            var serverBefore = ServerUsage.Of(serverPid);
            var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var results = Send(host, port, feed).GetAwaiter().GetResult();
            var wall = clock.Elapsed.TotalSeconds;
            var server = ServerUsage.Of(serverPid) - serverBefore;
            var serverCpu = server.Cpu;
            var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalSeconds;

            var latencies = results.Select(r => r.Milliseconds).Order().ToList();
            var codes = results.GroupBy(r => r.Code).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}");
            var rate = results.Count / wall;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"connections {connections}: {results.Count:N0} messages in {wall:F1} s = {rate:N0} msg/s; ACK latency p50 {Percentile(latencies, 0.50):F2} ms, " +
                $"p95 {Percentile(latencies, 0.95):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, max {latencies[^1]:F0} ms"));
            Console.WriteLine($"ACK codes: {string.Join(", ", codes)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CPU: server {(serverPid > 0 ? $"{serverCpu:F1} s ({serverCpu / wall * 100:F0} % of one core, {serverCpu / results.Count * 1000:F2} ms/msg)" : "(no --server-pid)")}, " +
                $"this client {clientCpu:F1} s; wall {wall:F1} s; load average {loadBefore} -> {LoadAverage()} (2 cores, shared)"));
            if (serverPid > 0)
            {
                var n = (double)results.Count;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"server per message: user {server.User / n * 1000:F2} ms + system {server.System / n * 1000:F2} ms; " +
                    $"{server.ReadCalls / n:F0} read and {server.WriteCalls / n:F0} write system calls, {server.BytesWritten / n / 1024:F0} KiB written"));
            }
            var unanswered = results.Count(r => r.Code is "none");
            var notAccepted = results.Count(r => r.Code != "AA");
            var ok = unanswered == 0 && notAccepted == 0 && (connections > 1 || rate >= target);
            Console.WriteLine(connections == 1
                ? $"target >= {target:N0} msg/s on one connection, every message AA: {(ok ? "met" : "NOT met")}"
                : $"every message answered AA: {(unanswered == 0 && notAccepted == 0 ? "yes" : "NO")}");
            return ok ? 0 : 1;
        }

        private sealed record FeedMessage(string Trigger, bool Known, byte[] Bytes);

        private sealed record Sent(string Code, double Milliseconds);

        private static async Task<List<Sent>> Send(string host, int port, List<List<FeedMessage>> perConnection)
        {
            var all = await Task.WhenAll(perConnection.Select(async batch =>
            {
                await using var client = new MllpClient(new MllpClientOptions { Host = host, Port = port, ResponseTimeout = TimeSpan.FromSeconds(60) });
                var sent = new List<Sent>(batch.Count);
                foreach (var message in batch)
                {
                    var started = Stopwatch.GetTimestamp();
                    var result = await client.SendAsync(message.Bytes).ConfigureAwait(false);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var code = result.IsAcknowledged && result.Response is { } response
                        ? Hl7Parser.Parse(response).Message?.Msa()?.AcknowledgmentCode ?? "unreadable"
                        : "none";
                    sent.Add(new Sent(code, ms));
                }
                return sent;
            })).ConfigureAwait(false);
            return all.SelectMany(s => s).ToList();
        }

        /// <summary>The feed, split by connection: each patient on one connection, its A31s after its A28.</summary>
        private static List<List<FeedMessage>> Build(int count, int connections, double updateShare, double knownShare,
            IReadOnlyList<PamPatient> known, int seed, string prefix)
        {
            var faker = new Faker("fr") { Random = new Randomizer(seed) };
            var factory = new PamMessageFactory();
            var perConnection = Enumerable.Range(0, connections).Select(_ => new List<FeedMessage>()).ToList();
            var patients = Enumerable.Range(0, connections).Select(_ => new List<PamPatient>()).ToList();
            for (var n = 0; n < count; n++)
            {
                var c = n % connections;
                var header = new PamMessageHeader
                {
                    SendingApplication = new Hd(Domain),
                    SendingFacility = new Hd("CH-ANCIEN"),
                    ReceivingApplication = new Hd("IDENTITYREF"),
                    ReceivingFacility = new Hd("HOPITAL"),
                    Timestamp = new DateTime(2026, 3, 9, 10, 0, 0).AddSeconds(n),
                    ControlId = $"{prefix}-{n}",
                    Charset = Hl7Charset.Utf8,
                };
                var ext = $"{prefix}{n}";
                if (patients[c].Count > 10 && faker.Random.Double() < updateShare)
                {
                    var earlier = faker.PickRandom(patients[c]);
                    var changed = earlier with { Address = faker.Address.StreetAddress(), Phone = faker.Phone.PhoneNumber("0# ## ## ## ##") };
                    perConnection[c].Add(new FeedMessage("A31", false, factory.UpdatePatient(header, changed).ToBytes()));
                    continue;
                }
                var isKnown = known.Count > 0 && faker.Random.Double() < knownShare;
                var patient = isKnown ? known[faker.Random.Int(0, known.Count - 1)] with { Ipp = ext } : NewPerson(faker, ext);
                patients[c].Add(patient);
                perConnection[c].Add(new FeedMessage("A28", isKnown, factory.CreatePatient(header, patient).ToBytes()));
            }
            return perConnection;
        }

        private static readonly PamAuthority Authority = new(Domain, "1.2.250.1.999.88.1", "ISO");

        private static readonly string[] Places = ["75112", "69123", "13055", "31555", "33063", "59350", "2A004", "97411", "99350", "44109", "67482", "35238"];

        private static PamPatient NewPerson(Faker faker, string ext)
        {
            while (true)
            {
                var female = faker.Random.Bool();
                var gender = female ? Bogus.DataSets.Name.Gender.Female : Bogus.DataSets.Name.Gender.Male;
                var name = faker.Name.LastName() + (faker.Random.Double() < 0.1 ? "-" + faker.Name.LastName() : "");
                string[] firsts = faker.Random.Bool() ? [faker.Name.FirstName(gender), faker.Name.FirstName(gender)] : [faker.Name.FirstName(gender)];
                if (!InsName().IsMatch(name) || !firsts.All(f => InsName().IsMatch(f)))
                {
                    continue; // the few Bogus values the INS alphabet refuses: a feed of valid identities
                }
                return new PamPatient
                {
                    Ipp = ext,
                    IppAuthority = Authority,
                    BirthName = name,
                    FirstNames = firsts,
                    UsedName = female && faker.Random.Double() < 0.3 ? faker.Name.LastName() : null,
                    BirthDate = faker.Date.BetweenDateOnly(new DateOnly(1926, 1, 1), new DateOnly(2025, 12, 31)),
                    Sex = female ? "F" : "M",
                    BirthPlaceCode = faker.PickRandom(Places),
                    Address = faker.Address.StreetAddress(),
                    Postcode = faker.Random.Int(1000, 95999).ToString("00000", CultureInfo.InvariantCulture),
                    City = faker.Address.City(),
                    AddressCountry = "FRA",
                    Phone = faker.Phone.PhoneNumber("0# ## ## ## ##"),
                    PidStatus = ["PROV"],
                    ObtainingMode = "SM",
                };
            }
        }

        /// <summary>People of the base (rows of its import file), to be sent again by the feed under its own domain.</summary>
        private static List<PamPatient> KnownPeople(string csv, int max)
        {
            var people = new List<PamPatient>();
            foreach (var record in Matching.ImportCsv.Read(csv))
            {
                if (people.Count >= max)
                {
                    break;
                }
                if (record.BirthDate is not { } date || !InsName().IsMatch(record.BirthName) || !record.FirstNames.All(f => InsName().IsMatch(f)))
                {
                    continue;
                }
                people.Add(new PamPatient
                {
                    Ipp = record.Id, IppAuthority = Authority, BirthName = record.BirthName, FirstNames = record.FirstNames.ToList(), UsedName = record.UsedName,
                    BirthDate = date, Sex = record.Sex.ToString(), BirthPlaceCode = record.BirthPlaceCode, Address = record.Address, Postcode = record.Postcode,
                    City = record.City, AddressCountry = "FRA", PidStatus = ["PROV"], ObtainingMode = "SM",
                });
            }
            return people;
        }

        [GeneratedRegex(@"^\p{L}+(?:[ '-]\p{L}+)*$")]
        private static partial Regex InsName();

        /// <summary>
        /// What the server process has used so far (Linux /proc): CPU in user and system mode (s), and its I/O system calls
        /// (<c>syscr</c>/<c>syscw</c>: read and write calls of every kind, sockets included) and bytes written (<c>wchar</c>).
        /// The system calls show the floor a message's storage sets whatever the managed code costs (docs/hl7.md).
        /// </summary>
        private sealed record ServerUsage(double User, double System, long ReadCalls, long WriteCalls, long BytesWritten)
        {
            public double Cpu => User + System;

            public static ServerUsage Of(int pid)
            {
                if (pid <= 0 || !File.Exists($"/proc/{pid}/stat"))
                {
                    return new ServerUsage(0, 0, 0, 0, 0);
                }
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // utime, stime in ticks of 1/100 s
                var (user, system) = (long.Parse(fields[11], CultureInfo.InvariantCulture) / 100.0, long.Parse(fields[12], CultureInfo.InvariantCulture) / 100.0);
                var io = File.Exists($"/proc/{pid}/io")
                    ? File.ReadAllLines($"/proc/{pid}/io").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => long.Parse(p[1].Trim(), CultureInfo.InvariantCulture))
                    : [];
                return new ServerUsage(user, system, io.GetValueOrDefault("syscr"), io.GetValueOrDefault("syscw"), io.GetValueOrDefault("wchar"));
            }

            public static ServerUsage operator -(ServerUsage a, ServerUsage b) =>
                new(a.User - b.User, a.System - b.System, a.ReadCalls - b.ReadCalls, a.WriteCalls - b.WriteCalls, a.BytesWritten - b.BytesWritten);
        }

        private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "?";

        private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

        private static T Arg<T>(string[] args, string name, T fallback)
            where T : IParsable<T>
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && T.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
        }
    }
}
