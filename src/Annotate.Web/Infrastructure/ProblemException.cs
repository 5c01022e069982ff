using Annotate.Web.Features.Imports;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// A refusal a person can act on. Thrown by operations shared between pages, the API and the hub; the API answers
/// it as RFC 7807 problem details with this status (see ErrorHandling), pages show the detail beside the form, the
/// hub returns it as the call's result. What a refusal carries beyond its detail is typed, so each of them reads
/// it without knowing who threw it.
/// </summary>
public class ProblemException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;

    /// <summary>On a conflict, the state the change met, for the client to redraw from. Written as "current".</summary>
    public object? Current { get; private init; }

    /// <summary>Which fields are wrong and why, as the framework's validation problems say it. Written as "errors".</summary>
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; private init; }

    /// <summary>Every problem of a refused import (file, line, message), not only the first. Written as "errors".</summary>
    public IReadOnlyList<ImportError>? ImportErrors { get; private init; }

    public static ProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);
    public static ProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Not allowed", detail);
    public static ProblemException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail);
    public static ProblemException Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);

    /// <summary>A 409 with facts a script can act on (which decisions hold it, how many units are open...).</summary>
    public static ProblemException Conflict(string detail, params (string Name, object? Value)[] facts) =>
        new(StatusCodes.Status409Conflict, "Conflict", detail) { Facts = facts };

    /// <summary>Members that only the problem document carries: nothing in the app reads them back.</summary>
    private IReadOnlyList<(string Name, object? Value)> Facts { get; init; } = [];

    /// <summary>A 400 naming the fields at fault.</summary>
    public static ProblemException Invalid(string detail, IReadOnlyDictionary<string, string[]> fields) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail) { FieldErrors = fields };

    public static ProblemException Invalid(string detail, string field, string message) =>
        Invalid(detail, new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A 400 for an import of which nothing was written, listing every problem found.</summary>
    public static ProblemException ImportRefused(string detail, IReadOnlyList<ImportError> errors) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail) { ImportErrors = errors };

    /// <summary>A 409 for a change based on an old version (or a decided unit), with the state it met.</summary>
    public static ProblemException Stale(string detail, object current) =>
        new(StatusCodes.Status409Conflict, "Conflict", detail) { Current = current };

    /// <summary>The members of the problem document beyond status, title and detail.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Members()
    {
        if (Current is not null) yield return new("current", Current);
        if (FieldErrors is not null) yield return new("errors", FieldErrors);
        else if (ImportErrors is not null) yield return new("errors", ImportErrors);
        foreach (var (name, value) in Facts) yield return new(name, value);
    }
}
