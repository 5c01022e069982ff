using Annotate.Web.Features.Agreement;
using Quartz;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Background jobs: Quartz.NET with its ADO job store on our PostgreSQL (tables qrtz_*, provisioned by Quartz),
/// clustered, so any number of app nodes share the jobs and a job of a node that died is recovered by another.
/// </summary>
public static class JobsSetup
{
    public static void AddAnnotateJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<AgreementComputer>();
        services.AddScoped<AgreementScheduler>();
        services.AddSingleton<Features.Exports.ExportStorage>();
        services.AddScoped<Features.Exports.ExportRunner>();
        services.AddScoped<Features.Exports.ExportScheduler>();
        services.AddScoped<Features.Jobs.OrphanedWork>();
        services.AddQuartz(quartz =>
        {
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(postgres => postgres.ConnectionStringName = "Default");
                store.UseSystemTextJsonSerializer();
                store.UseClustering(cluster => cluster.CheckinInterval = TimeSpan.FromSeconds(10));
                // Quartz creates its own qrtz_* tables when missing (its schema is its own business, versioned with it).
                store.ProvisionSchema();
            });
            var nightly = new JobKey("nightly-agreement", "agreement");
            quartz.AddJob<NightlyAgreementJob>(job => job.WithIdentity(nightly).StoreDurably());
            quartz.AddTrigger(trigger => trigger.ForJob(nightly).WithIdentity("nightly-agreement", "agreement")
                .WithCronSchedule(builder.Configuration["Agreement:NightlyCron"] ?? "0 0 3 * * ?"));
            var expiry = new JobKey("expire-exports", "exports");
            quartz.AddJob<Features.Exports.ExpireExportsJob>(job => job.WithIdentity(expiry).StoreDurably());
            quartz.AddTrigger(trigger => trigger.ForJob(expiry).WithIdentity("expire-exports", "exports").WithCronSchedule("0 17 * * * ?"));
            var orphans = new JobKey("resume-orphaned-work", "maintenance");
            quartz.AddJob<Features.Jobs.ResumeOrphanedWorkJob>(job => job.WithIdentity(orphans).StoreDurably());
            quartz.AddTrigger(trigger => trigger.ForJob(orphans).WithIdentity("resume-orphaned-work", "maintenance")
                .StartNow().WithSimpleSchedule(every => every.WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()));
        });
        // Jobs:Run=false makes a node that only serves: it still queues jobs (in the shared store), and other nodes run them.
        if (builder.Configuration.GetValue("Jobs:Run", true))
            services.AddQuartzHostedService(options => options.WaitForJobsToComplete = false);
    }
}
