using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Exports;
using Annotate.Web.Features.Jobs;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Npgsql;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Background jobs: Hangfire with its storage in a schema of our PostgreSQL (<c>hangfire</c>, or Jobs__Schema; Hangfire
/// creates and upgrades it at start), so any number of app nodes share the jobs. Each node with a server fetches
/// jobs from the shared queue; a job of a node that died becomes visible again after the invisibility timeout.
/// </summary>
public static class JobsSetup
{
    public const string DashboardPath = "/jobs/dashboard";
    public const string SiteAdminPolicy = "SiteAdmin";

    public static void AddAnnotateJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddAgreement(configuration);
        services.AddExports();
        services.AddScoped<OrphanedWork>();

        services.AddSingleton<HangfireConnections>();
        // Our own storage instance in DI rather than Hangfire's global one: every app host of a process (the tests run
        // several) keeps its own storage, and all of Hangfire's services here (client, servers, dashboard) take this one.
        services.AddSingleton<JobStorage>(provider => new PostgreSqlStorage(provider.GetRequiredService<HangfireConnections>(), StorageOptions(configuration)));
        // Likewise our own job activator: Hangfire's default is its global one, which every host that configures Hangfire
        // replaces, so a server could build its jobs from another host's services.
        services.AddSingleton<JobActivator>(provider => new Hangfire.AspNetCore.AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, hangfire) => hangfire
            .UseLogProvider(new HangfireLogs(provider.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // Jobs:Run=false makes a node that only serves: it still queues jobs (in the shared storage), and other nodes run them.
        if (configuration.GetValue("Jobs:Run", true))
        {
            services.AddHangfireServer(server =>
            {
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
                if (configuration.GetValue<int?>("Jobs:Workers") is { } workers) server.WorkerCount = workers;
                server.SchedulePollingInterval = Seconds(configuration, "Jobs:SchedulePollSeconds", 15);
                // How soon a running job hears that it was deleted (our UI's cancel deletes its job).
                server.CancellationCheckInterval = Seconds(configuration, "Jobs:CancellationCheckSeconds", 5);
                // At a normal stop, jobs get this long to end after their token fires; then they are put back in the queue.
                server.ShutdownTimeout = Seconds(configuration, "Jobs:ShutdownSeconds", 15);
            });
        }
        services.AddHostedService<JobSchedules>();
        services.AddAuthorizationBuilder().AddPolicy(SiteAdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Features.Accounts.AppUser.AdminRole));
    }

    private static PostgreSqlStorageOptions StorageOptions(IConfiguration configuration) => new()
    {
        SchemaName = configuration["Jobs:Schema"] is { Length: > 0 } schema ? schema : "hangfire",
        PrepareSchemaIfNecessary = true,
        // Workers wait on LISTEN for a new job (every enqueue, on any node, sends a NOTIFY); the poll is the fallback for a missed one.
        EnableLongPolling = true,
        QueuePollInterval = Seconds(configuration, "Jobs:QueuePollSeconds", 15),
        // A fetched job stays invisible to other servers while its server renews the fetch (sliding), so a long export
        // is never fetched twice while it runs; a crashed server stops renewing, and after this long another takes it.
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = Seconds(configuration, "Jobs:InvisibilitySeconds", 300),
    };

    private static TimeSpan Seconds(IConfiguration configuration, string key, double fallback) =>
        TimeSpan.FromSeconds(configuration.GetValue(key, fallback));

    /// <summary>
    /// Hangfire's dashboard at /jobs/dashboard for site admins, authorised by our own policy on its endpoint: anonymous
    /// people are sent to sign in, other people get 403 (see AuthSetup). Its own local-only filter is replaced by that.
    /// Its forms keep ASP.NET Core's antiforgery check.
    /// </summary>
    public static void MapAnnotateJobsDashboard(this WebApplication app) =>
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [],
            DashboardTitle = "Annotate jobs",
            AppPath = "/jobs",
        }).RequireAuthorization(SiteAdminPolicy);
}

/// <summary>
/// Hangfire's connections to PostgreSQL, from one data source built once from our connection string (its pool), so
/// each storage action takes a pooled connection: neither a new data source per call nor one shared connection.
/// </summary>
public sealed class HangfireConnections(IServiceProvider services) : IConnectionFactory, IDisposable
{
    private readonly NpgsqlDataSource dataSource = new NpgsqlDataSourceBuilder(DatabaseSetup.ConnectionString(services)) { Name = "hangfire" }.Build();

    public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();

    public void Dispose() => dataSource.Dispose();
}

/// <summary>
/// Hangfire's log lines into our logging. Hangfire keeps one log provider for the whole process; a process with several
/// app hosts (the tests) ends hosts while others run, so a logger of an ended host's factory writes nothing instead of
/// throwing into Hangfire (which would fail the job that logs).
/// </summary>
public sealed class HangfireLogs(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try { return new Logger(factory.CreateLogger(name)); }
        catch (ObjectDisposedException) { return new Logger(null); }
    }

    private sealed class Logger(ILogger? logger) : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logger is null) return false;
            var level = logLevel switch
            {
                Hangfire.Logging.LogLevel.Trace => LogLevel.Trace,
                Hangfire.Logging.LogLevel.Debug => LogLevel.Debug,
                Hangfire.Logging.LogLevel.Info => LogLevel.Information,
                Hangfire.Logging.LogLevel.Warn => LogLevel.Warning,
                Hangfire.Logging.LogLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            try
            {
                if (messageFunc is null) return logger.IsEnabled(level); // Hangfire asks whether a level is on
                if (logger.IsEnabled(level)) logger.Log(level, exception, "{Message}", messageFunc());
                return true;
            }
            catch (ObjectDisposedException) { return false; }
        }
    }
}

/// <summary>
/// At start, on every node: puts the recurring jobs in place (idempotent, so nodes starting together agree) and queues
/// once what waits without a job (see <see cref="OrphanedWork"/>: e.g. the work an upgrade from Quartz.NET left).
/// </summary>
public sealed class JobSchedules(IServiceProvider services, NightlySchedule nightly, ILogger<JobSchedules> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Applies Hangfire's configuration (its serializer settings) on every node, also one without a server that only
        // enqueues: every node writes jobs in the same form.
        services.GetRequiredService<IGlobalConfiguration>();
        var recurring = services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<NightlyAgreementJob>(NightlyAgreementJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), nightly.Cron,
            new RecurringJobOptions { TimeZone = nightly.TimeZone });
        recurring.AddOrUpdate<ExpireExportsJob>(ExpireExportsJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), "17 * * * *");
        recurring.AddOrUpdate<OrphanedWork>(OrphanedWork.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        try
        {
            using var scope = services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<OrphanedWork>().ResumeAsync(OrphanedWork.DefaultMinimumAge, cancellationToken);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            // Not a reason to stay down: the minutely run tries again.
            logger.LogWarning(error, "Could not look for work without a job at start");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
