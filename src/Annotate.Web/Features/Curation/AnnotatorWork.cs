using System.Collections.Concurrent;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Curation;

/// <summary>
/// The annotators' side of a document's review, and its units: the part of a snapshot that stops changing once curation
/// starts. Reading a long, busy article's 25,000 spans and grouping them again for every decision was nearly all of a
/// decision's time, so it is kept, per app node, while the document's curation locks the annotators' work.
/// </summary>
public sealed class AnnotatorWork(List<Annotation> spans)
{
    /// <summary>The annotators' spans in text order (no curated ones).</summary>
    public List<Annotation> Spans { get; } = spans;
    public Dictionary<Guid, Annotation> ById { get; } = spans.ToDictionary(s => s.Id);

    private readonly ConcurrentDictionary<string, (List<ReviewUnit> Units, Dictionary<string, ReviewUnit> ById)> units = new();

    /// <summary>The span units as judged over <paramref name="counted"/> (who counts changes the kinds, not the groups).</summary>
    public (List<ReviewUnit> Units, Dictionary<string, ReviewUnit> ById) Units(IReadOnlySet<string> counted) =>
        units.GetOrAdd(string.Join(',', counted.Order(StringComparer.Ordinal)), _ =>
        {
            var list = ReviewUnits.Spans(Spans.Select(s => new UnitSpan(s.AnnotatorId, s.Id, s.Layer, s.Label, s.Start, s.End)), counted);
            return (list, list.ToDictionary(u => u.Id));
        });
}

/// <summary>
/// Each node's kept <see cref="AnnotatorWork"/>, by document. An entry holds while the document's curation state row
/// is as it was when the entry was read (a state that locks the annotators' work: in progress or curated; reopening
/// changes the row) and the document still has as many annotator spans (a write that does not pass the lock, such as
/// a reset, changes that count). Nothing is kept for a document whose annotators may still edit.
/// </summary>
public sealed class AnnotatorWorkCache
{
    /// <summary>Documents kept at most: the long articles being curated on this node now.</summary>
    private const int Capacity = 32;

    private readonly ConcurrentDictionary<long, (Token Token, AnnotatorWork Work)> kept = new();

    public record Token(CurationState State, DateTimeOffset UpdatedAt, int Spans);

    public AnnotatorWork? Get(long documentId, Token token) =>
        kept.TryGetValue(documentId, out var entry) && entry.Token == token ? entry.Work : null;

    public void Keep(long documentId, Token token, AnnotatorWork work)
    {
        if (!DocumentCuration.Locks(token.State)) { kept.TryRemove(documentId, out _); return; }
        if (kept.Count >= Capacity && !kept.ContainsKey(documentId))
            foreach (var key in kept.Keys.Take(kept.Count - Capacity + 1)) kept.TryRemove(key, out _);
        kept[documentId] = (token, work);
    }
}
