using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Annotate.Web.Features.Imports;

/// <summary>The import feature's services and the upload limits its one large route needs.</summary>
public static class ImportsSetup
{
    public static IServiceCollection AddImports(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
            provider.GetRequiredService<IConfiguration>().GetSection("Import").Get<ImportOptions>() ?? new ImportOptions());
        // Each file is checked against the limit by name in the importer; these caps only stop runaway uploads.
        // Kestrel's is the largest any route takes; BodyLimits gives every other route a small one.
        services.AddOptions<FormOptions>().Configure<ImportOptions>((form, import) =>
        {
            form.MultipartBodyLengthLimit = Math.Max(import.MaxFileBytes * 4, 1024 * 1024);
            form.ValueCountLimit = 1024;
        });
        services.AddOptions<KestrelServerOptions>().Configure<ImportOptions>((kestrel, import) =>
            kestrel.Limits.MaxRequestBodySize = BodyLimits.UploadBytes(import));
        return services.AddScoped<DocumentImporter>();
    }
}
