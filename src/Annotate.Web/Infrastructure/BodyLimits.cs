using Annotate.Web.Features.Imports;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Annotate.Web.Infrastructure;

/// <summary>Marks the import routes: the only ones that take uploads of up to the import limit.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ImportUploadAttribute : Attribute;

/// <summary>
/// How much of a request body any route reads. Kestrel's limit is the import's (the largest any route needs); each
/// request then gets its route's own: imports keep it, routes that declare a limit (span and link writes take one
/// change's budget, the hub the same) get theirs, and every other route, anonymous ones included, the small
/// Limits__MaxBodyKilobytes (64 by default), so no one can make the server read hundreds of megabytes it never needed.
/// </summary>
public static class BodyLimits
{
    public static long SmallBytes(IConfiguration configuration) => (long)(configuration.GetValue("Limits:MaxBodyKilobytes", 64.0) * 1024);

    public static long UploadBytes(ImportOptions import) => Math.Max(import.MaxFileBytes * 4, 1024 * 1024) + 1024 * 1024;

    public static void UseBodyLimits(this WebApplication app)
    {
        var small = SmallBytes(app.Configuration);
        var upload = UploadBytes(app.Services.GetRequiredService<ImportOptions>());
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                var metadata = context.GetEndpoint()?.Metadata;
                var limit = metadata?.GetMetadata<ImportUploadAttribute>() is not null ? upload
                    : metadata?.GetMetadata<IRequestSizeLimitMetadata>() is { } declared ? declared.MaxRequestBodySize
                    : small;
                feature.MaxRequestBodySize = limit;
                // A body that says its size up front is refused before anything reads it (a form's antiforgery check
                // would otherwise turn the read's failure into a 400); one sent in chunks meets Kestrel's check as it is read.
                if (context.Request.ContentLength > limit)
                    throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "Too large", ErrorHandling.TooLarge(context));
            }
            return next(context);
        });
    }
}
