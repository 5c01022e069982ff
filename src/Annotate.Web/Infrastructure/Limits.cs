using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// How long one kind of text may be, in Unicode code points: PostgreSQL's varchar(n) counts characters, not the
/// UTF-16 units a .NET string is made of, so "🙂" is one character here as it is in the column. One message says it,
/// wherever the text arrives (a form, the API, an import).
/// </summary>
public sealed record Limit(int Max, string Subject, string Verb = "has")
{
    public string Message { get; } = string.Create(CultureInfo.InvariantCulture, $"{Subject} {Verb} at most {Max:N0} characters.");

    /// <summary>A form field's maxlength: the browser counts UTF-16 units, and a character takes at most two, so the server decides.</summary>
    public int FormMaxLength => 2 * Max;

    public bool Allows(string? text) => text is null || text.Length <= Max || CodePoints.Count(text) <= Max;

    /// <summary>Refuses (400, <see cref="Message"/>) a text longer than the limit.</summary>
    public void Require(string? text)
    {
        if (!Allows(text)) throw ProblemException.BadRequest(Message);
    }

    /// <summary>The text cut to fit, at a code point (never between a surrogate pair's halves), ending in "…" when cut.</summary>
    public string Fit(string text) =>
        Allows(text) ? text : text[..CodePoints.ToUtf16Index(text, Max - 1)] + "…";
}

/// <summary>Every length limit of what people write, used by the EF configuration (column sizes), validation and import.</summary>
/// <remarks>The few maxima that size a request (attribute arguments must be constants) are constants too.</remarks>
public static class Limits
{
    public const int GuidelinesMax = 200_000, LabelNameMax = 64, NoteMax = 10_000;

    public static readonly Limit ProjectName = new(200, "A project name");
    public static readonly Limit ProjectDescription = new(4000, "A description");
    public static readonly Limit Guidelines = new(GuidelinesMax, "Guidelines", "have");
    /// <summary>Labels, span labels and relation types (label_definitions.name, annotations.label, relations.type).</summary>
    public static readonly Limit LabelName = new(LabelNameMax, "A label name");
    /// <summary>Notes on spans, links and curation decisions.</summary>
    public static readonly Limit Note = new(NoteMax, "A note");
    /// <summary>A curation decision's reason (one of a fixed list, see CurationService.Reasons).</summary>
    public static readonly Limit Reason = new(32, "A reason");
    public static readonly Limit DocumentTitle = new(500, "A title");
    public static readonly Limit DocumentSource = new(2000, "A source");
    /// <summary>An export's file name, made by the app.</summary>
    public static readonly Limit FileName = new(200, "A file name");
    /// <summary>Why a background job failed, as the Jobs page shows it.</summary>
    public static readonly Limit JobError = new(4000, "An error");
    public static readonly Limit Password = new(200, "A password");
    public static readonly Limit DisplayName = new(100, "A name");
    public static readonly Limit Email = new(256, "An email address");

    /// <summary>The limit named by a field of this class (for <see cref="LimitedAttribute"/>, whose arguments must be constants).</summary>
    public static Limit Named(string name) =>
        typeof(Limits).GetField(name)?.GetValue(null) as Limit ?? throw new ArgumentException($"Limits has no {name}.", nameof(name));
}

/// <summary>Model validation by a <see cref="Limit"/>: <c>[Limited(nameof(Limits.ProjectName))]</c>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class LimitedAttribute(string limit) : ValidationAttribute
{
    public Limit Limit { get; } = Limits.Named(limit);

    public override bool IsValid(object? value) => value is not string text || Limit.Allows(text);

    public override string FormatErrorMessage(string name) => Limit.Message;
}
