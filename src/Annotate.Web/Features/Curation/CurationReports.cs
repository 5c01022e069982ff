using System.Security.Claims;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;

namespace Annotate.Web.Features.Curation;

/// <param name="Agreement">the document's exact span F1 between its annotators in the latest agreement report, if it was in it</param>
public record ConflictDocument(long Id, string Title, CurationState State, int Units, int Open, Dictionary<string, int> Kinds, double? Agreement);

public record ConflictQueue(List<ConflictDocument> Documents, int Open);

public record ConsistencyEnd(Guid Id, long DocumentId, string Text);

public record ConsistencyProblem(string Kind, List<Guid> Relations, List<string> Types, ConsistencyEnd From, ConsistencyEnd To);

public record LabelScore(string Label, int Matched, int Extra, int Missed, double? Precision, double? Recall, double? F1);

/// <summary>One place where an annotator's span and the curated layer differ: extra (theirs only), missed (curated only),
/// label (same extent, other label) or boundary (overlapping, other extent). A blind project says nothing of whose
/// version the curated span came from, and neither does this.</summary>
public record CorrectionDifference(long DocumentId, string Kind, AnnotationLayer Layer, CorrectionSpan? Yours, CorrectionSpan? Curated);

public record CorrectionSpan(int Start, int End, string Label, string Text);

/// <summary>A reviewer's note (and reason) on a decision that chose or rejected this annotator's version.</summary>
public record CorrectionNote(long DocumentId, long DecisionId, string? Reason, string? Note, bool Chosen);

public record AnnotatorCorrections(string AnnotatorId, string AnnotatorName, int Documents, List<LabelScore> Labels, LabelScore Overall,
    List<CorrectionDifference> Differences, List<CorrectionNote> Notes);

/// <summary>Project-wide views of curation: the conflict queue, consistency of the curated links, how annotators were corrected.</summary>
public class CurationReports(AppDbContext db, ProjectAccess access, CurationService curation)
{
    /// <summary>
    /// Documents with open units, most open first (or, with <paramref name="order"/> "agreement", lowest agreement in
    /// the latest report first), optionally only units of a kind (a word of it: "label" matches "label+boundary"), with
    /// a version of a label, or with a version by an annotator.
    /// </summary>
    public async Task<ConflictQueue> ConflictsAsync(ClaimsPrincipal user, long projectId, string? kind, string? label, string? annotator, string? order = null)
    {
        if (order is not (null or "open" or "agreement")) throw ProblemException.BadRequest("\"order\" is \"open\" (most open units first) or \"agreement\" (lowest agreement first).");
        var (project, role) = await access.RequireAsync(user, projectId, ProjectRole.Reviewer, ProjectRole.Manager);
        var agreement = await LatestAgreementAsync(projectId);
        var names = await Names.ForAsync(db, project, role);
        var documents = await db.Documents.AsNoTracking().Where(d => d.ProjectId == projectId).OrderBy(d => d.Id).ToListAsync();
        var wantedLabel = label?.Trim().ToUpperInvariant();
        var queue = new List<ConflictDocument>();
        foreach (var document in documents)
        {
            var snapshot = await curation.SnapshotAsync(document, names);
            var open = snapshot.Units.Where(u => snapshot.DecisionOf(u.Id) is null)
                .Where(u => kind is null || u.Kind.Split('+').Contains(kind.Trim().ToLowerInvariant()))
                .Where(u => wantedLabel is null || u.Versions.Any(v => v.Label == wantedLabel))
                .Where(u => annotator is null || u.Versions.Any(v => v.AnnotatorId == annotator))
                .Select(u => u.Kind).ToList();
            if (label is null && annotator is null)
                open.AddRange(snapshot.LinkUnits.Where(u => snapshot.DecisionOf(u.Id) is null)
                    .Where(u => kind is null || u.Kind.Split('+').Contains(kind.Trim().ToLowerInvariant())).Select(u => u.Kind));
            if (open.Count == 0) continue;
            queue.Add(new ConflictDocument(document.Id, document.Title, snapshot.State, snapshot.Units.Count + snapshot.LinkUnits.Count, open.Count,
                open.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count()), agreement.TryGetValue(document.Id, out var f1) ? f1 : null));
        }
        var ordered = order == "agreement"
            ? queue.OrderBy(d => d.Agreement ?? 2.0).ThenByDescending(d => d.Open).ThenBy(d => d.Id)
            : queue.OrderByDescending(d => d.Open).ThenBy(d => d.Id);
        return new ConflictQueue(ordered.ToList(), queue.Sum(d => d.Open));
    }

    /// <summary>Each document's exact span F1 in the project's latest succeeded agreement report (none when there is no report).</summary>
    private async Task<Dictionary<long, double?>> LatestAgreementAsync(long projectId)
    {
        var result = await db.AgreementReports.AsNoTracking().Where(r => r.ProjectId == projectId && r.Status == Jobs.JobStatus.Succeeded && r.Result != null)
            .OrderByDescending(r => r.FinishedAt).Select(r => r.Result).FirstOrDefaultAsync();
        if (result is null) return [];
        // Read through the report's own record, as its page and CSV read it; a report from before per-document rows has none.
        var documents = Agreement.AgreementResult.FromJson(result).PerDocument ?? [];
        return documents.GroupBy(d => d.DocumentId).ToDictionary(g => g.Key, g => g.Last().SpanF1Exact);
    }

    /// <summary>Curated links that cannot all be right: both contradicts and supports, duplicates, an end outside the curated layer.</summary>
    public async Task<List<ConsistencyProblem>> ConsistencyAsync(ClaimsPrincipal user, long projectId)
    {
        await access.RequireAsync(user, projectId, ProjectRole.Reviewer, ProjectRole.Manager);
        var links = await db.Relations.AsNoTracking().Include(r => r.From).Include(r => r.To)
            .Where(r => r.ProjectId == projectId && (r.From!.Origin == AnnotationOrigin.Curated || r.To!.Origin == AnnotationOrigin.Curated))
            .OrderBy(r => r.CreatedAt).ToListAsync();
        static ConsistencyEnd End(Annotation a) => new(a.Id, a.DocumentId, a.Text);
        var problems = new List<ConsistencyProblem>();
        foreach (var link in links.Where(l => l.From!.Origin != AnnotationOrigin.Curated || l.To!.Origin != AnnotationOrigin.Curated))
            problems.Add(new("end_not_curated", [link.Id], [link.Type], End(link.From!), End(link.To!)));
        var curated = links.Where(l => l.From!.Origin == AnnotationOrigin.Curated && l.To!.Origin == AnnotationOrigin.Curated).ToList();
        foreach (var pair in curated.GroupBy(l => l.FromId.CompareTo(l.ToId) < 0 ? (l.FromId, l.ToId) : (l.ToId, l.FromId)))
        {
            var first = pair.First();
            var types = pair.Select(l => l.Type).Distinct().ToList();
            if (types.Contains("CONTRADICTS") && types.Contains("SUPPORTS"))
                problems.Add(new("contradicts_and_supports", pair.Select(l => l.Id).ToList(), types, End(first.From!), End(first.To!)));
            // A contradiction has no direction; a support drawn both ways says two things.
            foreach (var same in pair.GroupBy(l => ReviewUnits.IsSymmetric(l.Type) ? $"{l.Type}" : $"{l.Type}:{l.FromId}").Where(g => g.Count() > 1))
                problems.Add(new("duplicate", same.Select(l => l.Id).ToList(), [same.First().Type], End(same.First().From!), End(same.First().To!)));
        }
        return problems;
    }

    /// <summary>
    /// Each annotator's spans against the curated layer over the project's curated documents that they finished or
    /// annotated: a span matches a curated one of the same layer, start, end and label. Per label: matched, extra (theirs,
    /// not curated), missed (curated, not theirs), precision, recall, F1 (null where undefined). An annotator sees only
    /// their own; reviewers and managers see everyone's.
    /// </summary>
    public async Task<List<AnnotatorCorrections>> CorrectionsAsync(ClaimsPrincipal user, long projectId, string? annotator)
    {
        var (project, role) = await access.RequireAsync(user, projectId);
        var me = ProjectAccess.UserId(user);
        if (role == ProjectRole.Annotator)
        {
            if (annotator is not null && annotator != me) throw ProblemException.Forbidden("Annotators see only how their own work was corrected.");
            annotator = me;
        }
        var curatedDocuments = await db.DocumentCurations.AsNoTracking().Where(c => c.ProjectId == projectId && c.State == CurationState.Curated)
            .Select(c => c.DocumentId).ToListAsync();
        var spans = await db.Annotations.AsNoTracking().Where(a => curatedDocuments.Contains(a.DocumentId))
            .Select(a => new { a.DocumentId, a.AnnotatorId, a.Origin, a.Layer, a.Label, a.Start, a.End, a.Text }).ToListAsync();
        var decisions = await db.CurationDecisions.AsNoTracking()
            .Where(d => d.ProjectId == projectId && d.UndoneAt == null && curatedDocuments.Contains(d.DocumentId) && (d.Note != null || d.Reason != null))
            .OrderBy(d => d.Id).ToListAsync();
        var finished = await db.DocumentStates.AsNoTracking().Where(s => curatedDocuments.Contains(s.DocumentId) && s.Status == DocumentStatus.Finished)
            .Select(s => new { s.DocumentId, s.UserId }).ToListAsync();
        var gold = spans.Where(s => s.Origin == AnnotationOrigin.Curated).ToList();
        var people = annotator is not null ? [annotator]
            : spans.Where(s => s.Origin != AnnotationOrigin.Curated).Select(s => s.AnnotatorId).Concat(finished.Select(f => f.UserId)).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName);
        var naming = await Names.ForAsync(db, project, role);
        var result = new List<AnnotatorCorrections>();
        foreach (var person in people.Order(StringComparer.Ordinal))
        {
            var theirs = spans.Where(s => s.Origin != AnnotationOrigin.Curated && s.AnnotatorId == person).ToList();
            var documents = theirs.Select(s => s.DocumentId).Concat(finished.Where(f => f.UserId == person).Select(f => f.DocumentId)).ToHashSet();
            var key = (long d, AnnotationLayer l, string label, int s, int e) => (d, l, label, s, e);
            var mine = theirs.Select(s => key(s.DocumentId, s.Layer, s.Label, s.Start, s.End)).ToHashSet();
            var truth = gold.Where(g => documents.Contains(g.DocumentId)).Select(s => key(s.DocumentId, s.Layer, s.Label, s.Start, s.End)).ToHashSet();
            var labels = mine.Concat(truth).Select(k => k.label).Distinct().Order(StringComparer.Ordinal)
                .Select(l => Score(l, mine.Where(k => k.label == l).ToHashSet(), truth.Where(k => k.label == l).ToHashSet())).ToList();
            var name = person == me ? names.GetValueOrDefault(person, "") : naming.Rename(person, names.GetValueOrDefault(person, ""));
            var differences = new List<CorrectionDifference>();
            var curatedHere = gold.Where(g => documents.Contains(g.DocumentId)).ToList();
            static CorrectionSpan Of(string label, int start, int end, string text) => new(start, end, label, text);
            foreach (var span in theirs.OrderBy(s => s.DocumentId).ThenBy(s => s.Start))
            {
                if (curatedHere.Any(g => g.DocumentId == span.DocumentId && g.Layer == span.Layer && g.Start == span.Start && g.End == span.End && g.Label == span.Label)) continue;
                var near = curatedHere.Where(g => g.DocumentId == span.DocumentId && g.Layer == span.Layer && g.Start < span.End && span.Start < g.End)
                    .OrderByDescending(g => g.Start == span.Start && g.End == span.End).FirstOrDefault();
                var kind = near is null ? "extra" : near.Start == span.Start && near.End == span.End ? "label" : "boundary";
                differences.Add(new(span.DocumentId, kind, span.Layer, Of(span.Label, span.Start, span.End, span.Text), near is null ? null : Of(near.Label, near.Start, near.End, near.Text)));
            }
            foreach (var g in curatedHere.Where(g => !theirs.Any(s => s.DocumentId == g.DocumentId && s.Layer == g.Layer && s.Start < g.End && g.Start < s.End)))
                differences.Add(new(g.DocumentId, "missed", g.Layer, null, Of(g.Label, g.Start, g.End, g.Text)));
            var notes = decisions.Select(d => (Decision: d, Chosen: AnnotatorsIn(d.Chosen).Contains(person), Rejected: AnnotatorsIn(d.Rejected).Contains(person)))
                .Where(d => d.Chosen || d.Rejected).Select(d => new CorrectionNote(d.Decision.DocumentId, d.Decision.Id, d.Decision.Reason, d.Decision.Note, d.Chosen)).ToList();
            result.Add(new AnnotatorCorrections(person, name, documents.Count, labels, Score("all", mine, truth), differences, notes));
        }
        return result;
    }

    /// <summary>The annotators named in a decision's recorded versions.</summary>
    private static HashSet<string> AnnotatorsIn(string versions) =>
        System.Text.Json.JsonSerializer.Deserialize<List<RecordedVersion>>(versions, JsonOptions.Api)!.Select(v => v.AnnotatorId).ToHashSet();

    private static LabelScore Score<T>(string label, HashSet<T> mine, HashSet<T> truth)
    {
        var matched = mine.Count(truth.Contains);
        int extra = mine.Count - matched, missed = truth.Count - matched;
        double? precision = mine.Count == 0 ? null : Math.Round((double)matched / mine.Count, 4);
        double? recall = truth.Count == 0 ? null : Math.Round((double)matched / truth.Count, 4);
        double? f1 = mine.Count + truth.Count == 0 ? null : Math.Round(2.0 * matched / (mine.Count + truth.Count), 4);
        return new LabelScore(label, matched, extra, missed, precision, recall, f1);
    }
}
