using IdentityRef.Application.Duplicates;
using IdentityRef.Application.Security;
using System.CommandLine;
using IdentityRef.Persistence;
using IdentityRef.Server.Hosting;
using IdentityRef.Server.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serilog;
using IdentityRef.Application.TraitMatching;

namespace IdentityRef.Server.Cli;

/// <summary>
/// Operations on the identity base from a terminal: <c>seed</c>, <c>import</c>. They use the same configuration
/// and database as the server.
/// </summary>
public static class CommandLine
{
    private static readonly HashSet<string> Commands = ["seed", "import", "listen", "accounts", "dedupe", "duplicates"];

    /// <summary>The exit code of a command stopped before its end (Ctrl-C, or the server that started it went away).</summary>
    public const int Stopped = 130;

    public static bool Handles(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        var count = new Option<int>("--count") { Description = "How many identities to create.", DefaultValueFactory = _ => 100 };
        var randomSeed = new Option<int>("--seed") { Description = "Random seed, so that a data set can be made again.", DefaultValueFactory = _ => 20261122 };
        var seed = new Command("seed", "Create realistic French identities (Bogus, fr) for demos and benchmarks.") { count, randomSeed };
        seed.SetAction((result, token) => WithServicesAsync(services => new SeedCommand(services).RunAsync(result.GetValue(count), result.GetValue(randomSeed), token)));

        var file = new Argument<FileInfo>("file") { Description = "CSV with header external_id,birth_name,first_names,birth_date,sex,birth_place_code,used_name,used_first_name,address,postcode,city,phone" };
        var domain = new Option<string?>("--domain") { Description = "The import domain of external_id (default: the file name)." };
        var batch = new Option<int>("--batch-size") { Description = "Rows committed per transaction (written 10,000 at a time).", DefaultValueFactory = _ => 100_000 };
        var rejects = new Option<FileInfo?>("--rejects") { Description = "Also write the rejected rows' line numbers and reasons to this file." };
        var import = new Command("import", "Load identities from a CSV file; rejected rows are reported and skipped.") { file, domain, batch, rejects };
        import.SetAction((result, token) => WithServicesAsync(services => new ImportCommand(services).RunAsync(
            result.GetValue(file)!, result.GetValue(domain), result.GetValue(batch), result.GetValue(rejects), token)));

        var port = new Option<int>("--port") { Description = "TCP port to listen on (loopback).", DefaultValueFactory = _ => 2576 };
        var answer = new Option<string>("--answer") { Description = "What to answer: AA, AE, AR or silence.", DefaultValueFactory = _ => "AA" };
        answer.AcceptOnlyFromAmong("AA", "AE", "AR", "silence");
        var quiet = new Option<bool>("--quiet") { Description = "Do not print the messages (benchmarks)." };
        var record = new Option<FileInfo?>("--record") { Description = "Append the control id (MSH-10) of every message received to this file." };
        var listen = new Command("listen", "A downstream system for demos: print the HL7 messages received over MLLP and acknowledge them.") { port, answer, quiet, record };
        listen.SetAction((result, token) => ListenCommand.RunAsync(result.GetValue(port), result.GetValue(answer)!, result.GetValue(quiet), result.GetValue(record), token));

        
        var user = new Option<string>("--user") { Description = "The login of the account.", Required = true };
        var role = new Option<string>("--role") { Description = "Accueil, Identitovigilance, Intégrateur or Administrateur.", Required = true };
        var add = new Command("add", "Create an account; the password is read from standard input or asked.") { user, role };
        add.SetAction((result, token) => WithServicesAsync(services => new AccountsCommand(services).AddAsync(
            result.GetValue(user)!, result.GetValue(role)!, Console.In, Console.IsInputRedirected, token)));
        var list = new Command("list", "List the accounts, their role and state.");
        list.SetAction((_, token) => WithServicesAsync(services => new AccountsCommand(services).ListAsync(token)));
        var rppsUser = new Option<string>("--user") { Description = "The login of the account.", Required = true };
        var rpps = new Option<string>("--rpps") { Description = "The RPPS number (11 digits, or the national id 8 + RPPS); empty to unlink.", Required = true };
        var linkRpps = new Command("link-rpps", "Link the RPPS a professional signs in with through Pro Santé Connect to an account.") { rppsUser, rpps };
        linkRpps.SetAction((result, token) => WithServicesAsync(services => new AccountsCommand(services).LinkRppsAsync(
            result.GetValue(rppsUser)!, result.GetValue(rpps), token)));
        var accounts = new Command("accounts", "Local accounts of the web interface.") { add, list, linkRpps };

        var full = new Option<bool>("--full") { Description = "Score the whole base in memory (default: the identities changed since the last run)." };
        var train = new Option<bool>("--train") { Description = "With --full: learn the m/u weights from the base by EM first." };
        var summaryJson = new Option<FileInfo?>("--summary-json") { Description = "Also write the summary as JSON to this file (the server reads it back from the full runs it starts)." };
        var stopWith = new Option<int?>("--stop-with") { Description = "Stop the run (between chunks) when the process with this id has ended (the server that started it)." };
        var dedupe = new Command("dedupe", "Detect potential duplicates and collisions into the vigilance cell's work queue; print a summary.") { full, train, summaryJson, stopWith };
        dedupe.SetAction((result, token) => WithServicesAsync(async services =>
        {
            using var stop = StopWith(result.GetValue(stopWith), token);
            try
            {
                return await DuplicateCommands.DedupeAsync(services, result.GetValue(full), result.GetValue(train), result.GetValue(summaryJson), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // A run writes its queue in one transaction at its end: stopped before, it wrote nothing.
                await Console.Error.WriteLineAsync("Detection stopped before its end: the queue is as the previous run left it.");
                return Stopped;
            }
        }));
        var exportFile = new Argument<FileInfo>("file") { Description = "CSV to write: external_id_a,external_id_b,score,class." };
        var export = new Command("export", "Write every detected pair with the import ids of both identities.") { exportFile };
        export.SetAction((result, token) => WithServicesAsync(services => DuplicateCommands.ExportAsync(services, result.GetValue(exportFile)!, token)));
        var rebuildKeys = new Command("rebuild-keys", "Compute every active identity's blocking keys again (after an upgrade that changed the matcher's blocking).");
        rebuildKeys.SetAction((_, token) => WithServicesAsync(services => DuplicateCommands.RebuildKeysAsync(services, token)));
        var duplicates = new Command("duplicates", "The duplicates work queue and its blocking keys.") { export, rebuildKeys };

        var root = new RootCommand("IdentityRef, the patient identity server. Without a command: serve the API.") { seed, import, listen, accounts, dedupe, duplicates };
        return await root.Parse(args).InvokeAsync();
    }

    /// <summary>A token cancelled with <paramref name="token"/>, or when the process <paramref name="processId"/> has ended (checked every second).</summary>
    private static CancellationTokenSource StopWith(int? processId, CancellationToken token)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        if (processId is not { } id)
        {
            return stop;
        }
        if (!IsRunning(id))
        {
            stop.Cancel();
            return stop;
        }
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false) && IsRunning(id))
            {
            }
            await stop.CancelAsync();
        }, CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default); // cancelled with the command: nothing to report
        return stop;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Builds the services of the server (no web host), migrates the database, runs <paramref name="command"/>.</summary>
    private static async Task<int> WithServicesAsync(Func<IServiceProvider, Task<int>> command)
    {
        IConfiguration? configuration = null;
        IHost? built = null;
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = ServerSetup.ContentRoot([]) });
            configuration = builder.Configuration;
            ServerSetup.ConfigureLogging(builder.Logging, builder.Configuration);
            builder.Services.AddIdentityRef(builder.Configuration, builder.Environment.ContentRootPath);
            // A command is a process of its own already: its full detection runs here, not in yet another child.
            builder.Services.RemoveAll<ISeparateFullRun>();
            built = builder.Build();
            // A command does not start the host: check the options the server would check at start before touching anything.
            built.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (Exception e) when (ConfigurationErrors.Describe(e) is { } problem)
        {
            built?.Dispose(); // its log file is closed before the line is written to it
            ConfigurationErrors.Report(configuration, problem);
            return Program.ConfigurationError;
        }
        using var host = built;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityRefDbContext>();
            await DatabaseSetup.MigrateAsync(db);
            await MatchKeyVersion.EnsureCurrentAsync(db, scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityRef.Server.Duplicates"), CancellationToken.None);
        }
        return await command(host.Services);
    }
}
