namespace Annotate.Web.Infrastructure;

/// <summary>
/// A refusal a person can act on. Thrown by operations shared between pages and the API; the API answers
/// it as RFC 7807 problem details with this status, pages show the detail beside the form.
/// </summary>
public class ProblemException(int status, string title, string detail, object? extensions = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;
    /// <summary>Extra members of the problem document, e.g. the list of import errors.</summary>
    public object? Extensions { get; } = extensions;

    public static ProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);
    public static ProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Not allowed", detail);
    public static ProblemException BadRequest(string detail, object? extensions = null) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail, extensions);
    public static ProblemException Conflict(string detail, object? extensions = null) =>
        new(StatusCodes.Status409Conflict, "Conflict", detail, extensions);
}
