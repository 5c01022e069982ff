namespace Annotate.Web.Features.Agreement;

/// <summary>The agreement feature's services (its nightly recurring job is put in place with the others by JobSchedules).</summary>
public static class AgreementSetup
{
    public static IServiceCollection AddAgreement(this IServiceCollection services, IConfiguration configuration) => services
        .AddScoped<AgreementLoader>()
        .AddScoped<AgreementComputer>()
        .AddScoped<AgreementScheduler>()
        // Read now, so a cron that existing installs carry (Quartz-style) stops the app at start with its fix.
        .AddSingleton(NightlySchedule.From(configuration));
}
