using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.LiveSync;

/// <summary>
/// A browser sends the sign-in cookie with a WebSocket to the hub from any page of the same site (another port of the
/// same host, say), and a WebSocket carries no antiforgery token: the hub itself must refuse pages of other origins.
/// Requests with a bearer token (header or access_token query) are not at risk: no browser attaches one by itself.
/// A request without Origin does not come from a page (browsers send it on every WebSocket and cross-origin request).
/// The app's own origin is the one the request names (scheme and Host); behind a reverse proxy that rewrites them,
/// list the public origins in Hub__AllowedOrigins (comma-separated, e.g. https://annotate.example.org).
/// </summary>
public static class HubOrigins
{
    public static void MapAnnotationHub(this WebApplication app)
    {
        var configured = Configured(app.Configuration);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(AnnotationHub.Path), branch => branch.Use(async (context, next) =>
        {
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length == 0 || AuthSetup.UsesBearerToken(context.Request) || IsOwn(context.Request, origin, configured))
            {
                await next(context);
                return;
            }
            throw new ProblemException(StatusCodes.Status403Forbidden, "Origin not allowed",
                $"The hub accepts signed-in connections only from the app's own pages; {origin} is not one of them. Behind a reverse proxy, add the public origin to Hub__AllowedOrigins; scripts should send a bearer token.");
        }));
        // A change over long polling arrives as a request body: the same budget as the WebSocket's messages.
        app.MapHub<AnnotationHub>(AnnotationHub.Path).WithMetadata(new RequestSizeLimitAttribute(ChangeBudget.MaxBytes));
    }

    private static HashSet<string> Configured(IConfiguration configuration)
    {
        var section = configuration.GetSection("Hub:AllowedOrigins");
        var values = section.Value is { } list ? list.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries) : [];
        return values.Concat(section.GetChildren().Select(c => c.Value ?? "")).Select(o => o.Trim().TrimEnd('/'))
            .Where(o => o.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsOwn(HttpRequest request, string origin, HashSet<string> configured) =>
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase) || configured.Contains(origin);
}
