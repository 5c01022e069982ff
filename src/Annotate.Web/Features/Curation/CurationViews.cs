using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;

namespace Annotate.Web.Features.Curation;

/// <summary>What the review API shows and accepts. Offsets count code points.</summary>
public record ReviewDocument(long Id, long ProjectId, string Title, string Text, int Length);

public record ReviewAnnotator(string Id, string Name, DocumentStatus Status, bool Counted);

public record ReviewVersion(string AnnotatorId, string AnnotatorName, Guid SpanId, int Start, int End, string Label, AnnotationLayer Layer, string Text);

public record ReviewUnitView(string Id, AnnotationLayer Layer, string Kind, int Start, int End, int Version, List<ReviewVersion> Versions, DecisionView? Decision);

public record ReviewLinkVersion(string AnnotatorId, string AnnotatorName, Guid LinkId, string Type, Guid From, Guid To,
    long FromDocumentId, long ToDocumentId, string FromText, string ToText);

public record ReviewLinkUnitView(string Id, string Kind, int Version, List<ReviewLinkVersion> Versions, DecisionView? Decision);

public record CuratedSpanView(Guid Id, long DocumentId, AnnotationLayer Layer, string Label, int Start, int End, string Text);

public record CuratedLinkView(Guid Id, string Type, Guid From, Guid To, long FromDocumentId, long ToDocumentId, string FromText, string ToText);

public record CuratedView(List<CuratedSpanView> Spans, List<CuratedLinkView> Relations);

public record DecisionView(long Id, long DocumentId, List<long> Documents, string Action, List<string> Units, string ReviewerId, string ReviewerName,
    DateTimeOffset DecidedAt, string? Reason, string? Note, JsonElement Chosen, JsonElement Rejected, JsonElement Result, bool Undone,
    DateTimeOffset? UndoneAt, long? RedoOf);

public record ReviewView(ReviewDocument Document, List<ReviewAnnotator> Annotators, List<ReviewUnitView> Units, List<ReviewLinkUnitView> Links,
    CuratedView Curated, CurationState State, int Open, Dictionary<string, int> Kinds, List<DecisionView> Decisions);

public record SpanInput(int? Start, int? End, string? Label, AnnotationLayer? Layer);

public record ThresholdInput(int? Annotators, double? Share);

/// <param name="Version">the unit's version the decision is based on (from the review); a stale one answers 409 with the unit as it is</param>
public record DecisionRequest(string? Action, string? Unit, string? AnnotatorId, Guid? SpanId, SpanInput? Span, ThresholdInput? Threshold,
    string? Reason, string? Note, int? Version);

/// <summary>
/// What a decision or an undo changed, and only that: a long article's review holds thousands of units and curated
/// spans, and answering with its whole curated layer (then reading the whole review again on the page) was most of a
/// decision's round trip. The page applies it in place, as it applies another reviewer's decision heard live.
/// </summary>
/// <param name="Decision">the whole decision (also the data of its change-log entry)</param>
/// <param name="Sequence">the change-log sequence of the decision's entry, for clients that wait for it live</param>
/// <param name="Units">the units of the document reviewed that it decided (or, undone, reopened), each with its new version</param>
/// <param name="Curated">the curated spans and links of the document reviewed it added or removed</param>
/// <param name="Open">the document's open units after it</param>
public record DecisionOutcome(DecisionView? Decision, long? Sequence, int Merged, List<ChangedUnit> Units, CuratedChange Curated, int Open,
    CurationState State, string? Message);

/// <param name="Decision">the id of the decision now in force on the unit; null once it is open again</param>
public record ChangedUnit(string Id, int Version, long? Decision);

/// <summary>Curated rows a decision added (whole) or an undo removed (their ids).</summary>
public record CuratedChange(CuratedView Added, RemovedCurated Removed)
{
    public static readonly CuratedChange None = new(new CuratedView([], []), new RemovedCurated([], []));
}

public record RemovedCurated(List<Guid> Spans, List<Guid> Relations);

public record CurationStateRequest(string? State);

public record CurationStateView(long DocumentId, CurationState State, string? UpdatedById, DateTimeOffset UpdatedAt, int Open);

/// <summary>One version as a decision records it (chosen or rejected).</summary>
public record RecordedVersion(string Unit, string AnnotatorId, Guid? SpanId, Guid? LinkId, string? Label, int? Start, int? End, string? Type);
