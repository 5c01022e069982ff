namespace Annotate.Web.Infrastructure;

/// <summary>
/// Headers on every response (pages, API, static files, errors) that make the browser refuse what the app never
/// does: run a script that is not one of its own files, be framed by another site, sniff a download into a page,
/// or tell other sites which page a link was followed from. Over HTTPS (directly, or a proxy's X-Forwarded-Proto
/// from Proxy__KnownProxies) browsers are also told to use HTTPS only (HSTS), and cookies are Secure.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts: the app's own files only, no inline script or eval (pages pass their data as JSON in a
    /// non-executed <c>script type="application/json"</c>). Styles: the app's files; style attributes are allowed
    /// (<c>style-src-attr</c>) because server-drawn heat maps and progress bars set colours and widths from numbers;
    /// no data reaches a style attribute unencoded, and CSS cannot run script. The hub is same-origin, which
    /// <c>connect-src 'self'</c> covers (ws: and wss: included).
    /// </summary>
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    /// <summary>Hangfire's dashboard (site admins only) writes inline scripts and styles of its own.</summary>
    public const string DashboardPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    public static void UseSecurityHeaders(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(JobsSetup.DashboardPath) ? DashboardPolicy : Policy;
                headers.XContentTypeOptions = "nosniff";
                // Older browsers' frame protection, beside frame-ancestors.
                headers.XFrameOptions = "SAMEORIGIN";
                // Links out of guidelines or notes do not tell the other site which document they were on.
                headers["Referrer-Policy"] = "same-origin";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
