using System.Text.Json;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// One article as it is exported, with the spans and relations the export's scope selected. The export job fills one
/// at a time and hands it to <see cref="ExportWriter.WriteAsync"/>; writers never keep it after that call.
/// </summary>
/// <param name="Relations">
/// The relations whose <see cref="ExportRelation.From"/> span is in <paramref name="Spans"/>: a relation is written
/// once, with the article of its "from" end. A relation whose "from" end is not among the spans, or whose "to" end is
/// in this article but not among the spans, is skipped by every writer (so passing a relation with both of its
/// articles still writes it once). The "to" end may be in another article; the export job passes only relations whose
/// "to" span is in the export too.
/// </param>
public record ExportDocument(long Id, string Title, string? Source, DateTimeOffset? Published, string Text, string Sha256,
    IReadOnlyList<ExportSpan> Spans, IReadOnlyList<ExportRelation> Relations);

/// <summary>One span. <paramref name="Start"/> and <paramref name="End"/> count code points, as the database does.</summary>
/// <param name="Text">The code-point slice [Start, End) of the article's text.</param>
/// <param name="Layer">"entity" or "claim".</param>
/// <param name="Annotator">Display name, or email when the annotator has none.</param>
/// <param name="Attributes">A JSON object (an unset element is written as {}).</param>
public record ExportSpan(Guid Id, int Start, int End, string Text, string Layer, string Label, string Annotator,
    JsonElement Attributes, string? Note);

/// <summary>A typed link between two spans (CONTRADICTS, SUPPORTS...); the two ends may be in two articles.</summary>
public record ExportRelation(Guid Id, string Type, Guid From, Guid To, long FromDocumentId, long ToDocumentId,
    string Annotator, string? Note);

/// <summary>What was asked for: recorded in the annotate-jsonl header, and <see cref="Offsets"/> decides the unit of
/// every offset written.</summary>
/// <param name="Format">One of <see cref="ExportWriter.Formats"/>.</param>
/// <param name="Scope">"curated", "annotator:NAME" or "all".</param>
/// <param name="Offsets">Code points (Python, spaCy, doccano, brat, Label Studio) or UTF-16 units (JavaScript, .NET).</param>
/// <param name="RelationsLeftOut">Links with one end in the export and the other outside its scope (another annotator's
/// span, an article that is not finished, a span that is not curated): they are not written, since the file could not
/// hold the span they point to; annotate-jsonl's header says how many there were.</param>
public record ExportSettings(string Format, string Scope, bool FinishedOnly, OffsetUnit Offsets, DateTimeOffset CreatedAt,
    long ProjectId, string ProjectName, int RelationsLeftOut = 0);
