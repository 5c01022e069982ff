namespace Annotate.Web.Infrastructure;

/// <summary>
/// The repository keeps wwwroot at its top; the build copies it beside the binaries. Serving from
/// there means `dotnet run`, the tests and a published container all serve the same files.
/// </summary>
public static class WebRoot
{
    public static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("ANNOTATE_WEBROOT");
        if (!string.IsNullOrEmpty(configured)) return Path.GetFullPath(configured);
        return Path.Combine(AppContext.BaseDirectory, "wwwroot");
    }
}
