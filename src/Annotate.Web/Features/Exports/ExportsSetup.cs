namespace Annotate.Web.Features.Exports;

/// <summary>The exports feature's services (its recurring expiry job is put in place with the others by JobSchedules).</summary>
public static class ExportsSetup
{
    public static IServiceCollection AddExports(this IServiceCollection services) => services
        .AddSingleton<ExportStorage>()
        .AddScoped<ExportRunner>()
        .AddScoped<ExportScheduler>();
}
