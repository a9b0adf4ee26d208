using IdentityRef.Server.Hosting;
using IdentityRef.Application.Jobs;
using IdentityRef.Persistence;
using Microsoft.Extensions.Options;
using Quartz;

namespace IdentityRef.Server.Jobs;

/// <summary>
/// Quartz in the host, from the <c>Scheduler</c> section: a persistent job store in the application's own
/// database (the same SQLite file, or PostgreSQL, clustered when several instances share it), the catalog's jobs
/// with their cron triggers, and a clean stop: running jobs are cancelled on shutdown and awaited.
/// </summary>
public static class JobsSetup
{
    public const string SchedulerName = "IdentityRef";

    public static void AddJobs(this IServiceCollection services, IConfiguration configuration, DatabaseProvider provider, string connectionString)
    {
        var section = configuration.GetSection(SchedulerOptions.Section);
        services.AddOptions<SchedulerOptions>().Bind(section).ValidateSettings(SchedulerOptions.Section) // nested sections included
            .Validate(o => JobCatalog.All.All(j => j.CronFrom(o) is not { } cron || CronExpression.TryParse(cron, out _)),
                "A Scheduler:Schedules entry is not a valid Quartz cron expression (six or seven fields, with seconds).")
            .ValidateOnStart();
        services.AddScoped<InsReverifier>();
        services.AddScoped<InsiRetrier>();
        services.AddScoped<JobHistory>();
        services.AddScoped<OutboxWatch>();
        services.AddScoped<JobOperations>();

        var options = section.Get<SchedulerOptions>() ?? new SchedulerOptions();
        if (!options.Enabled)
        {
            return;
        }
        foreach (var job in JobCatalog.All)
        {
            services.AddTransient(job.JobType);
        }
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = SchedulerName;
                if (string.Equals(options.InstanceId, "AUTO", StringComparison.OrdinalIgnoreCase))
                {
                    s.GenerateInstanceId = true; // unique per process: what a cluster needs
                }
                else
                {
                    s.InstanceId = options.InstanceId;
                }
                s.IdleWaitTime = TimeSpan.FromSeconds(options.IdleWaitSeconds);
                s.DefaultMisfireHandling = DefaultMisfireHandling.FireAndProceed;
                s.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = Persistence.Migrations.QuartzTables.Prefix;
                    s.MisfireThreshold = TimeSpan.FromSeconds(options.MisfireThresholdSeconds);
                    s.SchemaProvisioning = SchemaProvisioning.Validate; // the migrations create the tables
                });
                if (provider == DatabaseProvider.Sqlite)
                {
                    store.UseSqlite(connectionString);
                }
                else
                {
                    store.UsePostgres(connectionString);
                }
                if (options.Clustered)
                {
                    store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(options.ClusterCheckinSeconds));
                }
            });
        });
        services.AddHostedService<JobScheduleSynchronizer>();
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }
}

/// <summary>
/// At start-up, stores each job of the catalog and its cron trigger: a new trigger is added, a trigger whose
/// cron changed in the configuration is replaced (keeping a pause), an emptied schedule removes it. Safe when
/// several instances of a cluster start together.
/// </summary>
public sealed class JobScheduleSynchronizer(ISchedulerFactory factory, IOptions<SchedulerOptions> options, ILogger<JobScheduleSynchronizer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        foreach (var job in JobCatalog.All)
        {
            var detail = JobBuilder.Create().OfType(job.JobType).WithIdentity(job.Key).WithDescription(job.Description).StoreDurably().Build();
            await scheduler.AddJob(detail, AddJobOptions.Replacing, cancellationToken);
            var cron = job.CronFrom(options.Value);
            var existing = await scheduler.GetTrigger(job.TriggerKey, cancellationToken);
            if (cron is null)
            {
                if (existing is not null)
                {
                    await scheduler.UnscheduleJob(job.TriggerKey, cancellationToken);
                }
                continue;
            }
            if (existing is ICronTrigger current && current.CronExpressionString == cron)
            {
                continue;
            }
            var trigger = TriggerBuilder.Create().WithIdentity(job.TriggerKey).ForJob(job.Key)
                .WithCronSchedule(cron, b => b.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)).Build();
            if (existing is null)
            {
                await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken);
            }
            else
            {
                var paused = await scheduler.GetTriggerState(job.TriggerKey, cancellationToken) == TriggerState.Paused;
                await scheduler.RescheduleJob(job.TriggerKey, trigger, cancellationToken);
                if (paused)
                {
                    await scheduler.PauseTrigger(job.TriggerKey, cancellationToken);
                }
            }
            JobsLog.Scheduled(logger, job.Name, cron);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
