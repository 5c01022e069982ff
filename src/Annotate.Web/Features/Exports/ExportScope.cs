namespace Annotate.Web.Features.Exports;

/// <summary>
/// Whose spans an export writes: every annotator's (<see cref="All"/>), the curated layer (<see cref="Curated"/>), or one
/// annotator's (<see cref="OfAnnotator"/>, by user id, so it stays right when their email changes). Stored in
/// <c>exports.scope</c> as "all", "curated" or "annotator:USER-ID"; requests may name the annotator by email
/// (see <see cref="ExportScheduler.ValidateAsync"/>), which is resolved to the id before anything is stored.
/// </summary>
public readonly record struct ExportScope
{
    private const string AnnotatorPrefix = "annotator:";

    private ExportScope(bool curated, string? annotatorId) => (IsCurated, AnnotatorId) = (curated, annotatorId);

    public static ExportScope All { get; } = new(false, null);
    public static ExportScope Curated { get; } = new(true, null);
    public static ExportScope OfAnnotator(string userId) =>
        string.IsNullOrWhiteSpace(userId) ? throw new ArgumentException("An annotator's scope needs their user id.", nameof(userId)) : new(false, userId);

    public bool IsCurated { get; }
    /// <summary>The annotator's user id in one annotator's scope, else null.</summary>
    public string? AnnotatorId { get; }
    public bool IsAll => !IsCurated && AnnotatorId is null;

    /// <summary>The stored form: "all", "curated" or "annotator:USER-ID".</summary>
    public override string ToString() => IsCurated ? "curated" : AnnotatorId is { } id ? AnnotatorPrefix + id : "all";

    /// <summary>Reads the stored form back; anything else is a bug (the database holds only what <see cref="ToString"/> wrote).</summary>
    public static ExportScope Parse(string stored) => stored switch
    {
        "all" => All,
        "curated" => Curated,
        _ when stored.StartsWith(AnnotatorPrefix, StringComparison.Ordinal) && stored.Length > AnnotatorPrefix.Length => OfAnnotator(stored[AnnotatorPrefix.Length..]),
        _ => throw new FormatException($"'{stored}' is not an export scope."),
    };

    /// <summary>
    /// What a request asked for, before the annotator is looked up: <paramref name="who"/> is the email or id after
    /// "annotator:" (case-insensitive prefix), and null for "all" (also when left out) and "curated". False when the text
    /// names no scope.
    /// </summary>
    public static bool TryParseRequest(string? text, out ExportScope scope, out string? who)
    {
        var trimmed = string.IsNullOrWhiteSpace(text) ? "all" : text.Trim();
        (scope, who) = (All, null);
        if (trimmed.StartsWith(AnnotatorPrefix, StringComparison.OrdinalIgnoreCase))
        {
            who = trimmed[AnnotatorPrefix.Length..].Trim();
            return who.Length > 0;
        }
        if (trimmed == "curated") scope = Curated;
        return trimmed is "all" or "curated";
    }

    public const string RequestHelp = "The scope is \"all\" (every annotator's spans), \"curated\", or \"annotator:EMAIL\".";
}
