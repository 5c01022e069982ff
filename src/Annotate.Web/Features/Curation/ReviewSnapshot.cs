using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.Relations;

namespace Annotate.Web.Features.Curation;

/// <summary>
/// How people are named to a viewer: by name, or with the project's anonymous curation on, annotators as
/// "Annotator 1..n" to reviewers. The numbers are the project's, not a document's (every annotator of the project in
/// a fixed order of their accounts), so the review page, the editor, the change log and live pushes give one person
/// one number everywhere, and the numbers stay put between loads. Managers always see names.
/// </summary>
public sealed class Names
{
    private readonly bool anonymous;
    private readonly Dictionary<string, string> real;
    private readonly Dictionary<string, int> numbers;

    private Names(bool anonymous, Dictionary<string, string> real, Dictionary<string, int> numbers) =>
        (this.anonymous, this.real, this.numbers) = (anonymous, real, numbers);

    /// <summary>The viewer's naming, with the project's annotators numbered when the viewer curates anonymously.</summary>
    public static async Task<Names> ForAsync(AppDbContext db, Project project, ProjectRole role)
    {
        if (!Anonymous(project, role)) return new(false, [], []);
        return new Names(true, [], Number(await ProjectAnnotatorsAsync(db, project.Id)));
    }

    /// <summary>
    /// Everyone whose work is in the project (members who annotate, and anyone with spans or document states there, a
    /// former member too): a name that appears anywhere a reviewer looks gets a number, so none slips through.
    /// </summary>
    private static async Task<List<string>> ProjectAnnotatorsAsync(AppDbContext db, long projectId)
    {
        var members = db.ProjectMembers.Where(m => m.ProjectId == projectId && m.Role == ProjectRole.Annotator).Select(m => m.UserId);
        var spans = db.Annotations.Where(a => a.ProjectId == projectId && a.Origin != AnnotationOrigin.Curated).Select(a => a.AnnotatorId);
        var states = db.DocumentStates.Where(s => s.Document!.ProjectId == projectId).Select(s => s.UserId);
        return await members.Union(spans).Union(states).ToListAsync();
    }

    private static Dictionary<string, int> Number(IEnumerable<string> annotators) =>
        annotators.Distinct().Order(StringComparer.Ordinal).Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i + 1);

    /// <summary>Whether this viewer reads "Annotator 1..n" instead of names.</summary>
    public static bool Anonymous(Project project, ProjectRole role) => project.AnonymousCuration && role == ProjectRole.Reviewer;

    public Names With(Dictionary<string, string> users, IEnumerable<string> annotators)
    {
        var merged = new Dictionary<string, string>(real);
        foreach (var (id, name) in users) merged[id] = name;
        return new Names(anonymous, merged, anonymous ? Number(annotators.Concat(numbers.Keys)) : numbers);
    }

    public bool IsAnonymous => anonymous;

    /// <summary>Whether this person has a number (someone's first work in the project gives them one).</summary>
    public bool Knows(string userId) => !anonymous || numbers.ContainsKey(userId);

    public string Of(string userId) => Rename(userId, real.GetValueOrDefault(userId, ""));

    /// <summary>The name to show for <paramref name="userId"/>, whose real name is <paramref name="name"/>.</summary>
    public string Rename(string userId, string name) =>
        anonymous && numbers.TryGetValue(userId, out var number) ? $"Annotator {number}" : name;

    /// <summary>
    /// A view as this viewer reads it: in every object of it (nested ones too) that names a person by id, the name
    /// beside the id ("annotatorName" of "annotatorId", "userName" of "userId", "name" of "userId") is renamed.
    /// </summary>
    public JsonElement Rename(JsonElement data)
    {
        if (!anonymous) return data;
        var node = System.Text.Json.Nodes.JsonNode.Parse(data.GetRawText());
        RenameIn(node);
        return JsonSerializer.SerializeToElement(node);
    }

    public ChangeEventView Rename(ChangeEventView change) => anonymous ? change with { Data = Rename(change.Data) } : change;

    public IReadOnlyList<LiveSync.PresentUser> Rename(IReadOnlyList<LiveSync.PresentUser> people) =>
        anonymous ? people.Select(p => p with { Name = Rename(p.UserId, p.Name) }).ToList() : people;

    private void RenameIn(System.Text.Json.Nodes.JsonNode? node)
    {
        if (node is System.Text.Json.Nodes.JsonArray array) foreach (var item in array) RenameIn(item);
        if (node is not System.Text.Json.Nodes.JsonObject obj) return;
        foreach (var (idKey, nameKey) in new[] { ("annotatorId", "annotatorName"), ("userId", "userName"), ("userId", "name") })
            if (obj[idKey] is System.Text.Json.Nodes.JsonValue id && id.TryGetValue<string>(out var userId) && obj[nameKey] is System.Text.Json.Nodes.JsonValue name
                && name.TryGetValue<string>(out var real))
                obj[nameKey] = Rename(userId, real);
        foreach (var (_, child) in obj.ToList()) RenameIn(child);
    }
}

/// <summary>One document's review as read inside (or outside) the project's lock: spans, units, curated layer, decisions.</summary>
public sealed class Snapshot
{
    public Document Document { get; }
    /// <summary>The document's curated spans; for a decision on one span unit only those starting where it can meet them (see <c>SnapshotAsync</c>).</summary>
    public List<Annotation> Curated { get; }
    /// <summary>The project's labels (left unread, empty, for a decision that names none: an accept, a reject, a merge).</summary>
    public List<LabelDefinition> Labels { get; }
    public CurationState State { get; }
    public Names Names { get; }
    public IReadOnlySet<string> Counted { get; }
    /// <summary>The span units in text order (shared with other snapshots of the same annotators' work: never changed).</summary>
    public IReadOnlyList<ReviewUnit> Units { get; }
    public List<LinkUnit> LinkUnits { get; }
    /// <summary>An annotator's span of the document, or the far end of one of their links, by id.</summary>
    public Annotation Span(Guid id) => farEnds.TryGetValue(id, out var end) ? end : work.ById[id];
    public List<Relation> CuratedLinks { get; }
    public List<CurationDecision> Decisions { get; }

    private readonly AnnotatorWork work;
    private readonly Dictionary<Guid, Annotation> farEnds = [];
    private readonly Dictionary<string, ReviewUnit> unitsById;
    private readonly List<string> annotatorIds;
    private readonly Dictionary<string, DocumentStatus> states;
    private readonly Dictionary<string, CurationDecision> active = [];
    private readonly Dictionary<string, int> versions = [];

    public Snapshot(Document document, AnnotatorWork work, List<Annotation> curated, Dictionary<string, DocumentStatus> states, List<Relation> links,
        List<CurationDecision> decisions, CurationState state, List<LabelDefinition> labels, Names names)
    {
        (Document, Curated, this.states, Decisions, State, Labels, Names) = (document, curated, states, decisions, state, labels, names);
        this.work = work;
        annotatorIds = work.Annotators;
        var annotatorLinks = links.Where(l => l.From!.Origin != AnnotationOrigin.Curated && l.To!.Origin != AnnotationOrigin.Curated).ToList();
        // The far ends only: a copy of the document's own (25,000 on a long, busy article) for every decision cost a millisecond.
        foreach (var link in annotatorLinks)
            foreach (var end in new[] { link.From!, link.To! })
                if (!work.ById.ContainsKey(end.Id)) farEnds.TryAdd(end.Id, end);
        CuratedLinks = links.Where(l => l.From!.Origin == AnnotationOrigin.Curated && l.To!.Origin == AnnotationOrigin.Curated).ToList();
        Counted = ReviewUnits.Counted(work.Annotators, states.Where(s => s.Value == DocumentStatus.Finished).Select(s => s.Key));
        (Units, unitsById) = work.Units(Counted);
        LinkUnits = ReviewUnits.Links(annotatorLinks.Select(l => new UnitLink(l.AnnotatorId, l.Id, l.Type, l.FromId, l.ToId,
            new LinkEnd(l.From!.DocumentId, l.From.Start, l.From.End), new LinkEnd(l.To!.DocumentId, l.To.Start, l.To.End))), Counted);
        foreach (var decision in decisions)
            foreach (var unit in decision.Units)
            {
                // Each decision and each undo moves a unit's version on, as an edit moves a span's.
                versions[unit] = versions.GetValueOrDefault(unit) + (decision.UndoneAt is null ? 1 : 2);
                if (decision.UndoneAt is null) active[unit] = decision;
            }
    }

    public CurationDecision? DecisionOf(string unit) => active.GetValueOrDefault(unit);

    public int VersionOf(string unit) => versions.GetValueOrDefault(unit);

    public ReviewUnit? SpanUnit(string id) => unitsById.GetValueOrDefault(id);

    public LinkUnit? LinkUnit(string id) => LinkUnits.FirstOrDefault(u => u.Id == id);

    public int OpenCount => Units.Count(u => DecisionOf(u.Id) is null) + LinkUnits.Count(u => DecisionOf(u.Id) is null);

    /// <summary>Whether a decision on <paramref name="unit"/> based on <paramref name="version"/> is refused as stale.</summary>
    public bool Refuses(string unit, int version) => DecisionOf(unit) is not null || VersionOf(unit) != version;

    /// <summary>Refuses a decision on a unit that is not there, was decided, or changed since the caller read it.</summary>
    public void RequireOpen(string unit, int version)
    {
        object current = (object?)UnitView(SpanUnit(unit)) ?? LinkView(LinkUnit(unit)) ?? throw ProblemException.NotFound($"This document has no unit {unit}.");
        if (DecisionOf(unit) is { } decided)
            throw ProblemException.Stale($"{Names.Of(decided.ReviewerId)} decided this unit meanwhile (decision {decided.Id}); nothing was changed. Undo that decision to decide it again.",
                current);
        if (VersionOf(unit) != version)
            throw ProblemException.Stale($"This unit changed since you loaded it (you sent version {version}, it is at {VersionOf(unit)}); nothing was changed. Its current state is in \"current\".",
                current);
    }

    public ReviewView View()
    {
        var people = annotatorIds.Concat(states.Keys).Distinct();
        var annotators = people.Select(id => new ReviewAnnotator(id, Names.Of(id), states.GetValueOrDefault(id, DocumentStatus.InProgress), Counted.Contains(id)))
            .OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var units = Units.Select(u => UnitView(u)!).ToList();
        var links = LinkUnits.Select(u => LinkView(u)!).ToList();
        var kinds = units.Select(u => u.Kind).Concat(links.Select(l => l.Kind)).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        return new ReviewView(new ReviewDocument(Document.Id, Document.ProjectId, Document.Title, Document.Text, Document.Length), annotators, units, links,
            CuratedView(), State, OpenCount, kinds, Decisions.Select(ViewOf).ToList());
    }

    private ReviewUnitView? UnitView(ReviewUnit? unit) => unit is null ? null : new(unit.Id, unit.Layer, unit.Kind, unit.Start, unit.End, VersionOf(unit.Id),
        unit.Versions.Select(v => new ReviewVersion(v.AnnotatorId, Names.Of(v.AnnotatorId), v.SpanId, v.Start, v.End, v.Label, v.Layer, Span(v.SpanId).Text)).ToList(),
        DecisionOf(unit.Id) is { } d ? PartsOf(d).For(unit, Document.Id, ViewOf(d)) : null);

    private ReviewLinkUnitView? LinkView(LinkUnit? unit) => unit is null ? null : new(unit.Id, unit.Kind, VersionOf(unit.Id),
        unit.Versions.Select(v => new ReviewLinkVersion(v.AnnotatorId, Names.Of(v.AnnotatorId), v.LinkId, v.Type, v.FromSpanId, v.ToSpanId,
            v.From.DocumentId, v.To.DocumentId, Span(v.FromSpanId).Text, Span(v.ToSpanId).Text)).ToList(),
        DecisionOf(unit.Id) is { } d ? PartsOf(d).For(unit, ViewOf(d)) : null);

    /// <summary>
    /// A unit shows its decision as it concerns that unit (its own chosen and rejected versions and the curated result
    /// there), never the whole decision: accept-all-agreed decides thousands of units at once, and the whole of it under
    /// every one of them made the review of a long article gigabytes of JSON. The whole decision is in the history.
    /// </summary>
    private readonly Dictionary<CurationDecision, DecisionParts> decisionParts = new(ReferenceEqualityComparer.Instance);

    private DecisionParts PartsOf(CurationDecision d)
    {
        if (!decisionParts.TryGetValue(d, out var parts)) decisionParts[d] = parts = new DecisionParts(d, Curated);
        return parts;
    }

    /// <summary>
    /// Takes a decision just written, or just undone, into this snapshot's units (their versions and decisions in force),
    /// so what a decision answers is worked out from what was read for it instead of reading the review again.
    /// </summary>
    public void Record(CurationDecision decision)
    {
        foreach (var unit in decision.Units.Distinct())
        {
            versions[unit] = versions.GetValueOrDefault(unit) + 1;
            if (decision.UndoneAt is null) active[unit] = decision;
            else if (active.GetValueOrDefault(unit) is { } d && d.Id == decision.Id) active.Remove(unit);
        }
    }

    /// <summary>This document's units among <paramref name="units"/> (a decision may decide another article's too), as they now are.</summary>
    public List<ChangedUnit> Changed(IEnumerable<string> units) => units.Distinct()
        .Where(u => unitsById.ContainsKey(u) || LinkUnit(u) is not null)
        .Select(u => new ChangedUnit(u, VersionOf(u), DecisionOf(u)?.Id)).ToList();

    /// <summary>The curated spans of this document and the curated links touching it that <paramref name="plan"/> wrote.</summary>
    public CuratedChange Added(Plan plan)
    {
        var made = plan.NewLinks.Select(l => l.Id).ToHashSet();
        return new CuratedChange(new CuratedView(
            plan.NewSpans.Where(s => s.DocumentId == Document.Id).OrderBy(s => s.Start).ThenBy(s => s.End).Select(Plan.ViewOf).ToList(),
            plan.ResultLinks.Where(l => made.Contains(l.Id) && (l.FromDocumentId == Document.Id || l.ToDocumentId == Document.Id)).DistinctBy(l => l.Id).ToList()),
            CuratedChange.None.Removed);
    }

    public CuratedView CuratedView() => new(
        Curated.Select(Plan.ViewOf).ToList(),
        CuratedLinks.Select(r => new CuratedLinkView(r.Id, r.Type, r.FromId, r.ToId, r.From!.DocumentId, r.To!.DocumentId, r.From.Text, r.To.Text)).ToList());

    /// <summary>
    /// One view per decision object: accept-all-agreed decides thousands of units in one decision, and every unit's view
    /// shows it, so parsing its (large) chosen, rejected and result JSON once per unit made the review of a long, busy
    /// article quadratic (minutes). Keyed by the object, not the id, so a decision changed and viewed afresh (an undo)
    /// is never answered from here.
    /// </summary>
    private readonly Dictionary<CurationDecision, DecisionView> decisionViews = new(ReferenceEqualityComparer.Instance);

    public DecisionView ViewOf(CurationDecision d)
    {
        if (!decisionViews.TryGetValue(d, out var view)) decisionViews[d] = view = NewViewOf(d);
        return view;
    }

    private DecisionView NewViewOf(CurationDecision d) => new(d.Id, d.DocumentId, d.Documents, d.Action, d.Units, d.ReviewerId, Names.Of(d.ReviewerId), d.DecidedAt,
        d.Reason, d.Note, Parse(d.Chosen), Parse(d.Rejected), Parse(d.Result), d.UndoneAt is not null, d.UndoneAt, d.RedoOf);

    private static JsonElement Parse(string json) => AnnotationView.ParseObject(json);
}

/// <summary>One decision's records read once and indexed by unit, so each unit's share of it is found without a scan.</summary>
public sealed class DecisionParts
{
    private readonly ILookup<string, RecordedVersion> chosen, rejected;
    private readonly List<CuratedSpanView> spans; // by start
    private readonly int longest;
    private readonly List<CuratedLinkView> links;
    private readonly Dictionary<Guid, (long DocumentId, int Start, int End)> ends;

    public DecisionParts(CurationDecision decision, IEnumerable<Annotation> curated)
    {
        chosen = Records(decision.Chosen).ToLookup(r => r.Unit);
        rejected = Records(decision.Rejected).ToLookup(r => r.Unit);
        var result = JsonSerializer.Deserialize<CuratedView>(decision.Result, JsonOptions.Api) ?? new CuratedView([], []);
        spans = (result.Spans ?? []).OrderBy(s => s.Start).ToList();
        longest = spans.Count == 0 ? 0 : spans.Max(s => s.End - s.Start);
        links = result.Relations ?? [];
        ends = [];
        if (links.Count == 0) return;
        foreach (var c in curated) ends.TryAdd(c.Id, (c.DocumentId, c.Start, c.End));
        foreach (var s in spans) ends.TryAdd(s.Id, (s.DocumentId, s.Start, s.End));
    }

    private static List<RecordedVersion> Records(string json) => JsonSerializer.Deserialize<List<RecordedVersion>>(json, JsonOptions.Api) ?? [];

    /// <summary>The decision as it concerns a span unit: its versions, and the curated spans of its layer it made there.</summary>
    public DecisionView For(ReviewUnit unit, long documentId, DecisionView whole)
    {
        var made = new List<CuratedSpanView>();
        // Sorted by start: the spans overlapping [start, end) start before its end and no earlier than start - longest.
        var i = First(unit.End);
        while (--i >= 0 && spans[i].Start > unit.Start - longest)
            if (spans[i].DocumentId == documentId && spans[i].Layer == unit.Layer && spans[i].End > unit.Start) made.Add(spans[i]);
        made.Reverse();
        var ids = made.Select(s => s.Id).ToHashSet();
        return Slice(whole, unit.Id, new CuratedView(made, links.Where(l => ids.Contains(l.From) || ids.Contains(l.To)).ToList()));
    }

    /// <summary>The decision as it concerns a link unit: its versions, and the curated links it made between the unit's two places.</summary>
    public DecisionView For(LinkUnit unit, DecisionView whole)
    {
        bool At(Guid span, LinkEnd end) => ends.TryGetValue(span, out var e) && e == (end.DocumentId, end.Start, end.End);
        var made = links.Where(l => (At(l.From, unit.From) && At(l.To, unit.To)) || (At(l.From, unit.To) && At(l.To, unit.From))).ToList();
        var madeEnds = made.SelectMany(l => new[] { l.From, l.To }).ToHashSet();
        return Slice(whole, unit.Id, new CuratedView(spans.Where(s => madeEnds.Contains(s.Id)).ToList(), made));
    }

    private DecisionView Slice(DecisionView whole, string unit, CuratedView result) => whole with
    {
        Units = [unit],
        Chosen = JsonSerializer.SerializeToElement(chosen[unit], JsonOptions.Api),
        Rejected = JsonSerializer.SerializeToElement(rejected[unit], JsonOptions.Api),
        Result = JsonSerializer.SerializeToElement(result, JsonOptions.Api),
    };

    /// <summary>The index of the first span starting at or after <paramref name="start"/>.</summary>
    private int First(int start) => ReviewUnits.FirstStartingAt(spans, start, s => s.Start);
}

/// <summary>What one decision will write, gathered before anything is: units decided, versions chosen and rejected, curated rows.</summary>
public sealed class Plan(Snapshot snapshot, string reviewerId)
{
    private readonly List<Snapshot> others = [];
    /// <summary>
    /// The curated spans (existing and planned) by place and label: accept-all-agreed looks one up per unit, and a scan
    /// of them all each time made a merge of thousands of units quadratic.
    /// </summary>
    private readonly Dictionary<(long DocumentId, AnnotationLayer Layer, int Start, int End, string Label), Annotation> curatedAt = Places(snapshot.Curated);
    private readonly HashSet<Guid> inResult = [];

    private static Dictionary<(long, AnnotationLayer, int, int, string), Annotation> Places(IEnumerable<Annotation> spans)
    {
        var places = new Dictionary<(long, AnnotationLayer, int, int, string), Annotation>();
        foreach (var c in spans) places.TryAdd((c.DocumentId, c.Layer, c.Start, c.End, c.Label), c);
        return places;
    }

    public Snapshot Snapshot { get; } = snapshot;
    public List<string> Units { get; } = [];
    public List<Annotation> NewSpans { get; } = [];
    public List<Relation> NewLinks { get; } = [];
    public List<RecordedVersion> Chosen { get; } = [];
    public List<RecordedVersion> Rejected { get; } = [];
    public List<CuratedSpanView> ResultSpans { get; } = [];
    public List<CuratedLinkView> ResultLinks { get; } = [];
    public HashSet<long> Documents { get; } = [];

    public Snapshot? Other(long documentId) => others.FirstOrDefault(o => o.Document.Id == documentId);

    public Snapshot AddOther(Snapshot other)
    {
        others.Add(other);
        foreach (var c in other.Curated) curatedAt.TryAdd((c.DocumentId, c.Layer, c.Start, c.End, c.Label), c);
        return other;
    }

    public static CuratedSpanView ViewOf(Annotation a) => new(a.Id, a.DocumentId, a.Layer, a.Label, a.Start, a.End, a.Text);

    private static RecordedVersion Recorded(string unit, UnitSpan v) => new(unit, v.AnnotatorId, v.SpanId, null, v.Label, v.Start, v.End, null);

    /// <summary>Accepts <paramref name="version"/> (as <paramref name="edited"/>, when edited) for the unit; returns its curated span.</summary>
    public Annotation Accept(ReviewUnit unit, UnitSpan version, UnitSpan? edited, Snapshot? owner = null)
    {
        owner ??= Snapshot;
        Units.Add(unit.Id);
        Documents.Add(owner.Document.Id);
        Chosen.Add(Recorded(unit.Id, version));
        Rejected.AddRange(unit.Versions.Where(v => v.SpanId != version.SpanId).Select(v => Recorded(unit.Id, v)));
        var made = edited ?? version;
        var source = owner.Span(version.SpanId);
        return Curate(owner, made, edited is null ? source.Attributes : "{}", edited is null ? source.Text : null);
    }

    /// <summary>The reviewer's own span, deciding <paramref name="unit"/> (all its versions rejected) or standing alone.</summary>
    public void Add(ReviewUnit? unit, UnitSpan own)
    {
        if (unit is not null)
        {
            Units.Add(unit.Id);
            Rejected.AddRange(unit.Versions.Select(v => Recorded(unit.Id, v)));
        }
        Curate(Snapshot, own, "{}", null);
    }

    public void Reject(ReviewUnit unit)
    {
        Units.Add(unit.Id);
        Rejected.AddRange(unit.Versions.Select(v => Recorded(unit.Id, v)));
    }

    public void Reject(LinkUnit unit)
    {
        Units.Add(unit.Id);
        // A link to another article is that article's unit too: rejected here, it is decided there as well.
        foreach (var v in unit.Versions) { Documents.Add(v.From.DocumentId); Documents.Add(v.To.DocumentId); }
        Rejected.AddRange(unit.Versions.Select(v => new RecordedVersion(unit.Id, v.AnnotatorId, null, v.LinkId, null, null, null, v.Type)));
    }

    /// <summary>The curated span (existing or planned) at the place and label of an annotator's span, if any.</summary>
    public Annotation? CuratedAt(LinkEnd end, Annotation span)
    {
        var owner = end.DocumentId == Snapshot.Document.Id ? Snapshot : Other(end.DocumentId);
        if (owner is null) return null;
        return curatedAt.GetValueOrDefault((end.DocumentId, span.Layer, end.Start, end.End, span.Label));
    }

    public void Link(LinkUnit unit, UnitLink version, Annotation from, Annotation to)
    {
        Units.Add(unit.Id);
        Documents.Add(from.DocumentId);
        Documents.Add(to.DocumentId);
        Chosen.Add(new RecordedVersion(unit.Id, version.AnnotatorId, null, version.LinkId, null, null, null, version.Type));
        Rejected.AddRange(unit.Versions.Where(v => v.LinkId != version.LinkId).Select(v => new RecordedVersion(unit.Id, v.AnnotatorId, null, v.LinkId, null, null, null, v.Type)));
        var existing = Snapshot.CuratedLinks.Concat(NewLinks).FirstOrDefault(r => r.Type == version.Type && r.FromId == from.Id && r.ToId == to.Id);
        if (existing is null)
        {
            var now = Clock.Now;
            NewLinks.Add(existing = new Relation
            {
                Id = Guid.NewGuid(), ProjectId = Snapshot.Document.ProjectId, Type = version.Type, FromId = from.Id, ToId = to.Id,
                AnnotatorId = reviewerId, Version = 1, CreatedAt = now, UpdatedAt = now,
            });
        }
        ResultLinks.Add(new CuratedLinkView(existing.Id, existing.Type, from.Id, to.Id, from.DocumentId, to.DocumentId, from.Text, to.Text));
    }

    private Annotation Curate(Snapshot owner, UnitSpan made, string attributes, string? text)
    {
        var document = owner.Document;
        var place = (document.Id, made.Layer, made.Start, made.End, made.Label);
        if (!curatedAt.TryGetValue(place, out var existing))
        {
            var now = Clock.Now;
            NewSpans.Add(existing = new Annotation
            {
                Id = Guid.NewGuid(), ProjectId = document.ProjectId, DocumentId = document.Id, AnnotatorId = reviewerId, Layer = made.Layer, Label = made.Label,
                Start = made.Start, End = made.End, Text = text ?? CodePoints.Slice(document.Text, made.Start, made.End), Attributes = attributes,
                Version = 1, Origin = AnnotationOrigin.Curated, CreatedAt = now, UpdatedAt = now,
            });
            curatedAt[place] = existing;
        }
        if (inResult.Add(existing.Id)) ResultSpans.Add(ViewOf(existing));
        return existing;
    }
}
