using System.Collections.Concurrent;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Curation;

/// <summary>
/// The annotators' side of a document's review, and its units: the part of a snapshot that stops changing once curation
/// starts. Reading a long, busy article's 25,000 spans and grouping them again for every decision was nearly all of a
/// decision's time (and much of the review's), so it is kept per app node for as long as it stays as it was read.
/// </summary>
public sealed class AnnotatorWork(List<Annotation> spans)
{
    /// <summary>The annotators' spans in text order (no curated ones).</summary>
    public List<Annotation> Spans { get; } = spans;
    public Dictionary<Guid, Annotation> ById { get; } = spans.ToDictionary(s => s.Id);
    /// <summary>Everyone with a span here, once each.</summary>
    public List<string> Annotators { get; } = spans.Select(s => s.AnnotatorId).Distinct().ToList();

    private readonly ConcurrentDictionary<string, (List<ReviewUnit> Units, Dictionary<string, ReviewUnit> ById)> units = new();

    /// <summary>Where span unit <paramref name="unitId"/> lies, when its units were grouped already (by any count of who counts).</summary>
    public (int Start, int End)? Extent(string unitId)
    {
        foreach (var (_, byId) in units.Values)
            if (byId.TryGetValue(unitId, out var unit)) return (unit.Start, unit.End);
        return null;
    }

    /// <summary>How many of the spans start in [<paramref name="start"/>, <paramref name="end"/>) (they are in text order).</summary>
    public int StartingIn(int start, int end) =>
        ReviewUnits.FirstStartingAt(Spans, end, s => s.Start) - ReviewUnits.FirstStartingAt(Spans, start, s => s.Start);

    /// <summary>The span units as judged over <paramref name="counted"/> (who counts changes the kinds, not the groups).</summary>
    public (List<ReviewUnit> Units, Dictionary<string, ReviewUnit> ById) Units(IReadOnlySet<string> counted) =>
        units.GetOrAdd(string.Join(',', counted.Order(StringComparer.Ordinal)), _ =>
        {
            var list = ReviewUnits.Spans(Spans.Select(s => new UnitSpan(s.AnnotatorId, s.Id, s.Layer, s.Label, s.Start, s.End)), counted);
            return (list, list.ToDictionary(u => u.Id));
        });
}

/// <summary>
/// Each node's kept <see cref="AnnotatorWork"/>, by document. An entry holds while its token is what the database says
/// now: the document's curation state row, its number of annotator spans, and, while the annotators may still edit,
/// the last change-log entry about the document (every span written goes through the log). Once curation locks their
/// work (in progress, curated) decisions add entries but cannot change it, so the entry holds until the state changes
/// (a manager's reopening, say); the count catches a write that passes neither the lock nor the log (an account's
/// spans deleted with it). A decision on one span unit counts only the spans starting where the unit lies: a version
/// of it gone that way sends it to the full count (and a fresh read), and the next review read counts them all.
/// </summary>
public sealed class AnnotatorWorkCache
{
    /// <summary>
    /// Annotator spans kept at most, over all documents: about 40 MB with their units, four long busy articles (5 annotators
    /// × 5,000 spans each). Bounded by spans, not documents: sixteen such articles held 250 MB for as long as the node ran.
    /// </summary>
    public const int SpanCapacity = 100_000;

    private readonly ConcurrentDictionary<long, (Token Token, AnnotatorWork Work, long Kept)> kept = new();
    private long keptCount;

    /// <param name="LastChange">the document's last change-log sequence while its annotators may edit, else 0</param>
    public record Token(CurationState State, DateTimeOffset UpdatedAt, int Spans, long LastChange);

    public AnnotatorWork? Get(long documentId, Token token) =>
        kept.TryGetValue(documentId, out var entry) && entry.Token == token ? entry.Work : null;

    /// <summary>
    /// The kept work if all of its token but the count holds (<paramref name="token"/>'s count is not looked at): for a
    /// decision on one unit, which counts the spans where the unit lies instead (see <c>CurationService.SnapshotAsync</c>).
    /// </summary>
    public AnnotatorWork? Peek(long documentId, Token token) =>
        kept.TryGetValue(documentId, out var entry) && entry.Token with { Spans = 0 } == token with { Spans = 0 } ? entry.Work : null;

    /// <summary>The work kept for the document, whatever its token: to know where a unit lies before the token is read.</summary>
    public AnnotatorWork? Kept(long documentId) => kept.TryGetValue(documentId, out var entry) ? entry.Work : null;

    /// <summary>Keeps the work, first forgetting the documents kept longest ago until it fits (one larger than the bound is not kept).</summary>
    public void Keep(long documentId, Token token, AnnotatorWork work)
    {
        if (work.Spans.Count > SpanCapacity) return;
        lock (kept)
        {
            kept.TryRemove(documentId, out _);
            var total = kept.Values.Sum(e => e.Work.Spans.Count);
            foreach (var (oldest, entry) in kept.OrderBy(e => e.Value.Kept).ToList())
            {
                if (total + work.Spans.Count <= SpanCapacity) break;
                kept.TryRemove(oldest, out _);
                total -= entry.Work.Spans.Count;
            }
            kept[documentId] = (token, work, ++keptCount);
        }
    }
}
