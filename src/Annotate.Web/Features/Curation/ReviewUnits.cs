using System.Security.Cryptography;
using System.Text;
using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Curation;

/// <summary>One annotator's span as a version of a unit. Offsets in code points.</summary>
public record UnitSpan(string AnnotatorId, Guid SpanId, AnnotationLayer Layer, string Label, int Start, int End);

/// <summary>Where a link's end is: the claim's document and offsets (two annotators' claims at one place are one end).</summary>
public record LinkEnd(long DocumentId, int Start, int End) : IComparable<LinkEnd>
{
    public int CompareTo(LinkEnd? other) => other is null ? 1
        : DocumentId != other.DocumentId ? DocumentId.CompareTo(other.DocumentId)
        : Start != other.Start ? Start.CompareTo(other.Start) : End.CompareTo(other.End);

    public override string ToString() => $"{DocumentId}:{Start}-{End}";
}

/// <summary>One annotator's link as a version of a link unit.</summary>
public record UnitLink(string AnnotatorId, Guid LinkId, string Type, Guid FromSpanId, Guid ToSpanId, LinkEnd From, LinkEnd To);

/// <summary>A group of overlapping spans of one layer from the annotators, with its kind (see <see cref="ReviewUnits"/>).</summary>
public record ReviewUnit(string Id, AnnotationLayer Layer, string Kind, int Start, int End, IReadOnlyList<UnitSpan> Versions);

/// <summary>The annotators' links between the same two places, with its kind: agreed, type, missing or type+missing.</summary>
public record LinkUnit(string Id, string Kind, LinkEnd From, LinkEnd To, IReadOnlyList<UnitLink> Versions);

/// <summary>
/// Groups the annotators' spans and links of a document into the units a reviewer decides. Pure: no database.
/// <para>
/// A span unit is a connected group of overlapping spans of one layer (entities and claims apart): each span overlaps
/// at least one other of the group. Its kind is judged over the <em>counted</em> annotators only: those who finished
/// the document, or, while nobody has, everyone with a span in it. An unfinished annotator's spans are still shown
/// and can be accepted, but their absence is no "missing" and their differences no conflict: their work is not done.
/// </para>
/// <para>
/// Unit ids are made from the ids of the unit's spans (and its layer), so they stay the same as long as those spans do:
/// once curation starts the annotators' work on the document is read-only, so ids and decisions keep meeting.
/// </para>
/// </summary>
public static class ReviewUnits
{
    public const string Agreed = "agreed";

    /// <summary>Who counts when judging kinds: the finished annotators, or everyone with work there while none has finished.</summary>
    public static IReadOnlySet<string> Counted(IEnumerable<string> withWork, IEnumerable<string> finished)
    {
        var done = finished.ToHashSet(StringComparer.Ordinal);
        return done.Count > 0 ? done : withWork.ToHashSet(StringComparer.Ordinal);
    }

    public static List<ReviewUnit> Spans(IEnumerable<UnitSpan> spans, IReadOnlySet<string> counted)
    {
        var units = new List<ReviewUnit>();
        foreach (var layer in spans.GroupBy(s => s.Layer).OrderBy(g => g.Key))
        {
            var ordered = layer.OrderBy(s => s.Start).ThenBy(s => s.End).ThenBy(s => s.AnnotatorId, StringComparer.Ordinal).ThenBy(s => s.SpanId).ToList();
            var group = new List<UnitSpan>();
            var reach = -1;
            foreach (var span in ordered)
            {
                // Sorted by start: a span starting before the group's furthest end overlaps the span that reaches there.
                if (group.Count > 0 && span.Start >= reach) { units.Add(Unit(layer.Key, group, counted)); group = []; }
                group.Add(span);
                reach = group.Count == 1 ? span.End : Math.Max(reach, span.End);
            }
            if (group.Count > 0) units.Add(Unit(layer.Key, group, counted));
        }
        return units.OrderBy(u => u.Start).ThenBy(u => u.Layer).ThenBy(u => u.End).ToList();
    }

    private static ReviewUnit Unit(AnnotationLayer layer, List<UnitSpan> versions, IReadOnlySet<string> counted)
    {
        var judged = versions.Where(v => counted.Contains(v.AnnotatorId)).ToList();
        var kinds = new List<string>();
        if (judged.Select(v => v.Label).Distinct().Count() > 1) kinds.Add("label");
        if (judged.Select(v => (v.Start, v.End)).Distinct().Count() > 1) kinds.Add("boundary");
        var present = judged.Select(v => v.AnnotatorId).ToHashSet();
        if (judged.Count == 0 || counted.Any(a => !present.Contains(a))) kinds.Add("missing");
        var id = Id(layer == AnnotationLayer.Claim ? "c" : "e", versions.Select(v => v.SpanId));
        return new ReviewUnit(id, layer, kinds.Count == 0 ? Agreed : string.Join('+', kinds), versions.Min(v => v.Start), versions.Max(v => v.End), versions);
    }

    /// <summary>
    /// Link units: the annotators' links between the same two places. A contradiction says the same both ways, so its ends
    /// are an unordered pair; a support keeps its direction (a support the other way round is a "type" conflict).
    /// </summary>
    public static List<LinkUnit> Links(IEnumerable<UnitLink> links, IReadOnlySet<string> counted)
    {
        var units = new List<LinkUnit>();
        foreach (var group in links.GroupBy(l => Pair(l.From, l.To)))
        {
            var versions = group.OrderBy(l => l.AnnotatorId, StringComparer.Ordinal).ThenBy(l => l.LinkId).ToList();
            var judged = versions.Where(v => counted.Contains(v.AnnotatorId)).ToList();
            var kinds = new List<string>();
            if (judged.Select(Signature).Distinct().Count() > 1) kinds.Add("type");
            var present = judged.Select(v => v.AnnotatorId).ToHashSet();
            if (judged.Count == 0 || counted.Any(a => !present.Contains(a))) kinds.Add("missing");
            units.Add(new LinkUnit(Id("l", versions.Select(v => v.LinkId)), kinds.Count == 0 ? Agreed : string.Join('+', kinds),
                group.Key.Item1, group.Key.Item2, versions));
        }
        return units.OrderBy(u => u.From).ThenBy(u => u.To).ToList();
    }

    /// <summary>What a link says: its type, and for a directed type its direction.</summary>
    public static string Signature(UnitLink link) =>
        IsSymmetric(link.Type) ? link.Type : $"{link.Type}:{link.From}>{link.To}";

    public static bool IsSymmetric(string type) => type == "CONTRADICTS";

    private static (LinkEnd, LinkEnd) Pair(LinkEnd a, LinkEnd b) => a.CompareTo(b) <= 0 ? (a, b) : (b, a);

    /// <summary>
    /// The version a threshold merge would accept: the one (same start, end and label) that at least
    /// <paramref name="minAnnotators"/> counted annotators made and that holds at least <paramref name="share"/> of the
    /// counted annotators' votes (an annotator without a span there votes for nothing), strictly ahead of any other
    /// version (ties are not merged). Null when no version qualifies.
    /// </summary>
    public static UnitSpan? Winner(ReviewUnit unit, IReadOnlySet<string> counted, int minAnnotators, double share)
    {
        if (counted.Count == 0) return null;
        var votes = unit.Versions.Where(v => counted.Contains(v.AnnotatorId))
            .GroupBy(v => (v.Start, v.End, v.Label))
            .Select(g => (Version: g.First(), Support: g.Select(v => v.AnnotatorId).Distinct().Count()))
            .OrderByDescending(g => g.Support).ToList();
        if (votes.Count == 0) return null;
        var best = votes[0];
        if (votes.Count > 1 && votes[1].Support == best.Support) return null;
        if (best.Support < minAnnotators || (double)best.Support / counted.Count < share) return null;
        return best.Version;
    }

    /// <summary>The agreed version of an agreed unit (every counted annotator made exactly it), else null.</summary>
    public static UnitSpan? AgreedVersion(ReviewUnit unit, IReadOnlySet<string> counted) =>
        unit.Kind == Agreed ? unit.Versions.First(v => counted.Contains(v.AnnotatorId)) : null;

    /// <summary>In <paramref name="sorted"/> (by start), the index of the first item starting at or after <paramref name="start"/>.</summary>
    public static int FirstStartingAt<T>(IReadOnlyList<T> sorted, int start, Func<T, int> startOf)
    {
        var (lo, hi) = (0, sorted.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (startOf(sorted[mid]) < start) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static string Id(string prefix, IEnumerable<Guid> members)
    {
        var joined = string.Join(',', members.Select(m => m.ToString("N")).Order(StringComparer.Ordinal));
        return $"{prefix}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..16]}";
    }
}
