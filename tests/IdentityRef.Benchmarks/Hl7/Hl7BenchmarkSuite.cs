using System.Diagnostics;
using System.Globalization;
using System.Net;
using IdentityRef.Hl7;
using IdentityRef.Hl7.Mllp;
using IdentityRef.Hl7.Pam;

namespace IdentityRef.Benchmarks.Hl7Benchmarks
{
    /// <summary>
    /// Codec and MLLP throughput. Plain Stopwatch runs (median of several) rather than BenchmarkDotNet:
    /// the figures asked for are messages per second, and the MLLP part needs a live server.
    /// Usage: hl7 [--runs N] [--seconds S] [--mllp-messages N] [--mllp-clients N]
    /// </summary>
    public static class Hl7BenchmarkSuite
    {
        private const double MllpTarget = 5_000;

        public static int Run(string[] args)
        {
            int runs = Arg(args, "--runs", 5);
            double seconds = Arg(args, "--seconds", 1.0);
            int mllpMessages = Arg(args, "--mllp-messages", 20_000);
            int mllpClients = Arg(args, "--mllp-clients", 1);

            var message = SampleA28();
            byte[] bytes = message.ToBytes();
            var parsed = Hl7Parser.Parse(bytes).Message ?? throw new InvalidOperationException("sample does not parse");
            var reader = new PamMessageReader();
            Console.WriteLine($"sample: ADT^A28 with ZFD, {bytes.Length} bytes, {message.Segments.Count} segments; {runs} runs of {seconds:0.#} s, median reported");

            Report("parse (bytes -> message)", Measure(runs, seconds, () => Hl7Parser.Parse(bytes).Message!.Segments.Count));
            string text = message.Encode();
            Report("parse (text -> message, no decoding)", Measure(runs, seconds, () => Hl7Parser.Parse(text).Message!.Segments.Count));
            Report("encode (message -> bytes)", Measure(runs, seconds, () => parsed.ToBytes().Length));
            Report("parse + PAM read + ACK", Measure(runs, seconds, () =>
            {
                var result = Hl7Parser.Parse(bytes);
                var read = reader.Read(result.Message!);
                return Hl7Ack.Build(result.Message!, Hl7Ack.ChooseCode(result.Message, read.Errors), read.Errors).ToBytes().Length;
            }));

            var mllp = MeasureMllp(bytes, runs, mllpMessages, mllpClients).GetAwaiter().GetResult();
            Report($"MLLP round trip ({mllpClients} client(s), AA per message)", mllp);
            bool ok = mllp >= MllpTarget;
            Console.WriteLine($"MLLP target >= {MllpTarget:N0} msg/s: {(ok ? "met" : "NOT met")}");
            return ok ? 0 : 1;
        }

        private static double Measure(int runs, double seconds, Func<int> operation)
        {
            int sink = 0;
            // Warm-up long enough for tiered compilation to reach its optimised code (0.5 s was not: the
            // first operation measured came out 3x slower than when measured later).
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < 2)
            {
                sink += operation();
            }
            var rates = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                long count = 0;
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed.TotalSeconds < seconds)
                {
                    for (int i = 0; i < 100; i++)
                    {
                        sink += operation();
                    }
                    count += 100;
                }
                rates.Add(count / sw.Elapsed.TotalSeconds);
            }
            GC.KeepAlive(sink);
            return Median(rates);
        }

        private static async Task<double> MeasureMllp(byte[] message, int runs, int messages, int clients)
        {
            static ValueTask<byte[]?> Handler(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
            {
                var parsed = Hl7Parser.Parse(bytes.Span);
                return ValueTask.FromResult<byte[]?>(Hl7Ack.BuildForBytes(bytes.Span, parsed, Hl7AckCode.Accept).ToBytes());
            }
            await using var server = new MllpServer(new MllpServerOptions { Address = IPAddress.Loopback, Port = 0 }, Handler);
            server.Start();
            var senders = new List<MllpClient>();
            for (int c = 0; c < clients; c++)
            {
                senders.Add(new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = server.Port }));
            }
            try
            {
                async Task SendAll(int count)
                {
                    await Task.WhenAll(senders.Select(async client =>
                    {
                        for (int i = 0; i < count / senders.Count; i++)
                        {
                            var result = await client.SendAsync(message).ConfigureAwait(false);
                            if (!result.IsAcknowledged)
                            {
                                throw new InvalidOperationException("no ACK: " + result.Status);
                            }
                        }
                    })).ConfigureAwait(false);
                }
                await SendAll(Math.Min(2_000, messages)).ConfigureAwait(false);
                var rates = new List<double>();
                for (int r = 0; r < runs; r++)
                {
                    var sw = Stopwatch.StartNew();
                    await SendAll(messages).ConfigureAwait(false);
                    rates.Add(messages / clients * clients / sw.Elapsed.TotalSeconds);
                }
                return Median(rates);
            }
            finally
            {
                foreach (var client in senders)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        private static Hl7Message SampleA28()
        {
            var header = new PamMessageHeader
            {
                SendingApplication = new Hd("IDENTITYREF"),
                SendingFacility = new Hd("CHU-X", "1.2.250.1.71.4.2.2", "ISO"),
                ReceivingApplication = new Hd("DPI"),
                ReceivingFacility = new Hd("CHU-X"),
                Timestamp = new DateTime(2026, 3, 9, 10, 28, 40),
                ControlId = "BENCH000001",
                Charset = Hl7Charset.Utf8,
            };
            // A synthetic identity (not a real person) shaped like a qualified French patient.
            var patient = new PamPatient
            {
                Ipp = "000123456",
                IppAuthority = new PamAuthority("CHU-X", "1.2.250.1.71.4.2.2.1", "ISO"),
                BirthName = "TESTNOM-ÉPREUVE",
                FirstNames = ["ANNE", "CÉCILE", "MARIE"],
                UsedName = "USAGE",
                UsedFirstName = "ANNE-CÉCILE",
                BirthDate = new DateOnly(1980, 1, 15),
                Sex = "F",
                BirthPlaceCode = "75056",
                Address = "1 rue de l'Essai",
                Postcode = "75001",
                City = "PARIS",
                AddressCountry = "FRA",
                Phone = "0100000000",
                Ins = new PamIns("280017505600042", PamIns.TestOid),
                PidStatus = ["VALI", "HOMA"],
                BirthDateCorrected = false,
                ObtainingMode = "INSI",
                InsiCallDate = new DateOnly(2026, 3, 1),
                DocumentType = "CN",
                DocumentExpiry = new DateOnly(2030, 1, 1),
            };
            return new PamMessageFactory().CreatePatient(header, patient);
        }

        private static void Report(string what, double perSecond) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-55} {perSecond,12:N0} msg/s  ({1e6 / perSecond:0.00} µs/msg)"));

        private static double Median(List<double> values)
        {
            values.Sort();
            return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        }

        private static T Arg<T>(string[] args, string name, T fallback)
            where T : IParsable<T>
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && T.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
        }
    }
}
