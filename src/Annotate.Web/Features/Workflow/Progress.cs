using System.Globalization;
using Annotate.Web.Features.Curation;
using System.Text;
using Annotate.Web.Features.Documents;

namespace Annotate.Web.Features.Workflow;

/// <param name="NotStarted">assigned documents the person has not begun (no state, or new)</param>
/// <param name="InProgress">documents in progress for them, assigned or not</param>
/// <param name="LastActive">their newest span change or state change in the project</param>
public record AnnotatorProgress(string UserId, string Name, string Email, int Assigned, int NotStarted, int InProgress, int Finished, int Spans, DateTimeOffset? LastActive);

/// <param name="Required">the project's annotators per document</param>
/// <param name="Reviewers">reviewers assigned to curate it</param>
/// <param name="Spans">the annotators' spans on it (the curated layer apart)</param>
/// <param name="Curation">its curation state (the review's document state; not started when nobody has reviewed it)</param>
/// <param name="LastActive">its newest span change or state change by an annotator</param>
public record DocumentProgress(long DocumentId, string Title, int Assigned, int Started, int Finished, int Required, int Reviewers, int CuratedSpans,
    CurationState Curation, int Spans, DateTimeOffset? LastActive);

public record ProgressReport(long ProjectId, AssignmentMode Assignment, int AnnotatorsPerDocument, IReadOnlyList<AnnotatorProgress> Annotators, IReadOnlyList<DocumentProgress> Documents);

/// <summary>How many documents one annotator finished (for the first time) on one day (UTC), from the change log.</summary>
public class FinishedDay
{
    public string UserId { get; set; } = "";
    public DateOnly Day { get; set; }
    public int Count { get; set; }
}

/// <summary>One page of a progress table: the API answers it as <c>{items, next, total}</c>, like the documents list.</summary>
public record ProgressTablePage<T>(IReadOnlyList<T> Items, string? Next, int Total)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Previous { get; init; }
}

/// <summary>
/// The Progress tab's figures: per annotator and per document, from assignments, states and spans. Every figure is
/// counted in the database (grouped), so a project of 100,000 articles costs a few grouped scans, not rows in memory;
/// the per-document table comes a page at a time, in any column's order (ProgressOrder's keyset).
/// </summary>
public class Progress(AppDbContext db, ProgressOrder order)
{
    /// <summary>Both tables whole, each in its order: the API's report and the CSV downloads.</summary>
    public async Task<ProgressReport> ReportAsync(Project project, ProjectRole role, ProgressSort documentSort, ProgressSort annotatorSort)
    {
        var (ids, _, _, _) = await order.PageAsync(project.Id, new DocumentListQuery(), documentSort, null);
        var figures = await FiguresAsync(project, db.Documents.Where(d => d.ProjectId == project.Id).Select(d => d.Id));
        return new ProgressReport(project.Id, project.Assignment, project.AnnotatorsPerDocument,
            Sorted(await AnnotatorsAsync(project, role), annotatorSort), ids.Select(id => figures[id]).ToList());
    }

    /// <summary>One page of the per-document table: the documents of <paramref name="query"/> (search, assignee, cursor) in <paramref name="sort"/>'s order, with their figures.</summary>
    public async Task<ProgressTablePage<DocumentProgress>> DocumentsPageAsync(Project project, DocumentListQuery query, ProgressSort sort)
    {
        if (query.Limit is < 1 or > DocumentList.MaxLimit) throw ProblemException.BadRequest($"\"limit\" is 1 to {DocumentList.MaxLimit}; leave it out for {DocumentList.DefaultLimit}.");
        var (ids, next, previous, total) = await order.PageAsync(project.Id, query, sort, query.Limit);
        var figures = await FiguresAsync(project, db.Documents.Where(d => ids.Contains(d.Id)).Select(d => d.Id));
        return new ProgressTablePage<DocumentProgress>(ids.Select(id => figures[id]).ToList(), next, total) { Previous = previous };
    }

    /// <summary>
    /// One page of the per-annotator table in <paramref name="sort"/>'s order. A project's people are few, so they are
    /// counted and ordered in memory, but the cursor is a keyset all the same: (key, user id) of the last row.
    /// </summary>
    public async Task<ProgressTablePage<AnnotatorProgress>> AnnotatorsPageAsync(Project project, ProjectRole role, ProgressSort sort, string? cursor, int limit)
    {
        if (limit is < 1 or > DocumentList.MaxLimit) throw ProblemException.BadRequest($"\"limit\" is 1 to {DocumentList.MaxLimit}; leave it out for 100.");
        var people = Sorted(await AnnotatorsAsync(project, role), sort);
        var rest = people;
        if (cursor is not null)
        {
            var (id, key) = sort.Read(cursor);
            rest = people.Where(p => Compare(sort, (Key(sort.Key, p), p.UserId), (key, id)) > 0).ToList();
        }
        var items = rest.Take(limit).ToList();
        var next = rest.Count > limit ? sort.Cursor(items[^1].UserId, Key(sort.Key, items[^1])) : null;
        return new ProgressTablePage<AnnotatorProgress>(items, next, people.Count);
    }

    /// <summary>The annotators in <paramref name="sort"/>'s order, ties by user id.</summary>
    public static List<AnnotatorProgress> Sorted(IEnumerable<AnnotatorProgress> people, ProgressSort sort)
    {
        var list = people.ToList();
        list.Sort((a, b) => Compare(sort, (Key(sort.Key, a), a.UserId), (Key(sort.Key, b), b.UserId)));
        return list;
    }

    // A column's key as text: names and emails as they are (compared ignoring case), figures and times as fixed-width
    // numbers, so one comparison serves every column and a cursor carries the key as it was.
    private static string Key(string key, AnnotatorProgress a) => key switch
    {
        "name" => a.Name,
        "email" => a.Email,
        "assigned" => Number(a.Assigned),
        "notStarted" => Number(a.NotStarted),
        "inProgress" => Number(a.InProgress),
        "finished" => Number(a.Finished),
        "spans" => Number(a.Spans),
        _ => Number(a.LastActive?.UtcTicks ?? -1),
    };

    private static string Number(long value) => (value + 1).ToString("D20", CultureInfo.InvariantCulture);

    private static int Compare(ProgressSort sort, (string Key, string Id) a, (string Key, string Id) b)
    {
        var byKey = sort.Key is "name" or "email" ? StringComparer.OrdinalIgnoreCase.Compare(a.Key, b.Key) : string.CompareOrdinal(a.Key, b.Key);
        var result = byKey != 0 ? byKey : string.CompareOrdinal(a.Id, b.Id);
        return sort.Desc ? -result : result;
    }

/// <summary>
    /// Finished documents over time, per annotator: the day each (document, annotator) was first marked finished in
    /// the change log, counted per day. A reopened and refinished document counts once, on its first day.
    /// </summary>
    public async Task<IReadOnlyList<FinishedDay>> FinishedOverTimeAsync(long projectId) =>
        await db.Database.SqlQuery<FinishedDay>($"""
            SELECT owner_id AS "UserId", day AS "Day", count(*)::int AS "Count"
            FROM (SELECT owner_id, document_id, min((created_at AT TIME ZONE 'UTC')::date) AS day
                  FROM change_events
                  WHERE project_id = {projectId} AND kind = 'document_state_changed' AND data->>'status' = 'finished'
                  GROUP BY owner_id, document_id) AS firsts
            GROUP BY owner_id, day ORDER BY day, owner_id
            """).ToListAsync();

    /// <summary>
    /// Annotators, and anyone else given documents to annotate or with work of their own, as <paramref name="role"/>
    /// reads them: with the project's anonymous curation on, a reviewer reads "Annotator n" (the review page's
    /// numbers) and no email, so the progress table cannot undo what the review page hides.
    /// </summary>
    public async Task<IReadOnlyList<AnnotatorProgress>> AnnotatorsAsync(Project project, ProjectRole role)
    {
        var people = await NamedAnnotatorsAsync(project);
        if (!Names.Anonymous(project, role)) return people;
        var names = await Names.ForAsync(db, project, role);
        return people.Select(p => names.Rename(p.UserId, p.Name) is var shown && shown != p.Name ? p with { Name = shown, Email = "" } : p).ToList();
    }

    private async Task<IReadOnlyList<AnnotatorProgress>> NamedAnnotatorsAsync(Project project)
    {
        var projectId = project.Id;
        var annotate = db.Assignments.AsNoTracking().Where(a => a.ProjectId == projectId && a.Kind == AssignmentKind.Annotate);
        var states = db.DocumentStates.AsNoTracking().Where(s => s.Document!.ProjectId == projectId);
        var assigned = await annotate.GroupBy(a => a.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        // Assigned and begun: what is left is not started (no state, or new).
        var begun = await annotate.Where(a => db.DocumentStates.Any(s => s.DocumentId == a.DocumentId && s.UserId == a.UserId && s.Status != DocumentStatus.New))
            .GroupBy(a => a.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        var byState = await states.GroupBy(s => new { s.UserId, s.Status })
            .Select(g => new { g.Key.UserId, g.Key.Status, Count = g.Count(), Last = g.Max(s => s.UpdatedAt) }).ToListAsync();
        var spans = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.Origin != Annotations.AnnotationOrigin.Curated)
            .GroupBy(a => a.AnnotatorId).Select(g => new { g.Key, Count = g.Count(), Last = g.Max(a => a.UpdatedAt) }).ToListAsync();
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId)
            .Select(m => new { m.UserId, m.User!.DisplayName, m.User.Email, m.Role }).ToListAsync();
        return members.Where(m => m.Role == ProjectRole.Annotator || assigned.ContainsKey(m.UserId) || byState.Any(s => s.UserId == m.UserId))
            .OrderBy(m => m.Email).Select(m =>
            {
                var own = byState.Where(s => s.UserId == m.UserId).ToList();
                var manual = spans.Where(s => s.Key == m.UserId).ToList();
                var mine = assigned.GetValueOrDefault(m.UserId);
                var last = own.Select(s => (DateTimeOffset?)s.Last).Concat(manual.Select(s => (DateTimeOffset?)s.Last)).Max();
                return new AnnotatorProgress(m.UserId, m.DisplayName, m.Email ?? "", mine, mine - begun.GetValueOrDefault(m.UserId),
                    own.Where(s => s.Status == DocumentStatus.InProgress).Sum(s => s.Count), own.Where(s => s.Status == DocumentStatus.Finished).Sum(s => s.Count),
                    manual.Sum(s => s.Count), last);
            }).ToList();
    }

    /// <summary>The per-document figures of the documents <paramref name="ids"/>, counted in the database, by document id.</summary>
    private async Task<Dictionary<long, DocumentProgress>> FiguresAsync(Project project, IQueryable<long> ids)
    {
        var titles = await db.Documents.AsNoTracking().Where(d => ids.Contains(d.Id)).Select(d => new { d.Id, d.Title }).ToListAsync();
        var assignments = await db.Assignments.AsNoTracking().Where(a => ids.Contains(a.DocumentId)).GroupBy(a => new { a.DocumentId, a.Kind })
            .Select(g => new { g.Key.DocumentId, g.Key.Kind, Count = g.Count() }).ToListAsync();
        var states = await db.DocumentStates.AsNoTracking().Where(s => ids.Contains(s.DocumentId))
            .GroupBy(s => new { s.DocumentId, s.Status }).Select(g => new { g.Key.DocumentId, g.Key.Status, Count = g.Count(), Last = g.Max(s => s.UpdatedAt) }).ToListAsync();
        var spans = await db.Annotations.AsNoTracking().Where(a => ids.Contains(a.DocumentId))
            .GroupBy(a => new { a.DocumentId, Curated = a.Origin == Annotations.AnnotationOrigin.Curated })
            .Select(g => new { g.Key.DocumentId, g.Key.Curated, Count = g.Count(), Last = g.Max(a => a.UpdatedAt) }).ToListAsync();
        var curation = await db.DocumentCurations.AsNoTracking().Where(c => ids.Contains(c.DocumentId))
            .Select(c => new { c.DocumentId, c.State }).ToDictionaryAsync(c => c.DocumentId, c => c.State);
        var annotate = assignments.Where(a => a.Kind == AssignmentKind.Annotate).ToDictionary(a => a.DocumentId, a => a.Count);
        var curate = assignments.Where(a => a.Kind == AssignmentKind.Curate).ToDictionary(a => a.DocumentId, a => a.Count);
        var started = states.Where(s => s.Status != DocumentStatus.New).GroupBy(s => s.DocumentId).ToDictionary(g => g.Key, g => g.Sum(s => s.Count));
        var finished = states.Where(s => s.Status == DocumentStatus.Finished).ToDictionary(s => s.DocumentId, s => s.Count);
        var curated = spans.Where(s => s.Curated).ToDictionary(s => s.DocumentId, s => s.Count);
        var manual = spans.Where(s => !s.Curated).ToDictionary(s => s.DocumentId, s => s.Count);
        // Last active as ProgressOrder sorts it: the newest state change or annotator's span change.
        var last = states.Select(s => (s.DocumentId, s.Last)).Concat(spans.Where(s => !s.Curated).Select(s => (s.DocumentId, s.Last)))
            .GroupBy(x => x.DocumentId).ToDictionary(g => g.Key, g => g.Max(x => x.Last));
        return titles.ToDictionary(d => d.Id, d => new DocumentProgress(d.Id, d.Title, annotate.GetValueOrDefault(d.Id), started.GetValueOrDefault(d.Id),
            finished.GetValueOrDefault(d.Id), project.AnnotatorsPerDocument, curate.GetValueOrDefault(d.Id), curated.GetValueOrDefault(d.Id),
            curation.GetValueOrDefault(d.Id, CurationState.NotStarted), manual.GetValueOrDefault(d.Id), last.TryGetValue(d.Id, out var at) ? at : null));
    }

    public const string AnnotatorsCsvHeader = "user_id,name,email,assigned,not_started,in_progress,finished,spans,last_active";
    public const string DocumentsCsvHeader = "document_id,title,assigned,started,finished,required,reviewers,curated_spans,curation_state,spans,last_active";

    public static string AnnotatorsCsv(ProgressReport report)
    {
        var csv = new StringBuilder(AnnotatorsCsvHeader).Append('\n');
        foreach (var a in report.Annotators)
            csv.AppendJoin(',', Field(a.UserId), Field(a.Name), Field(a.Email), a.Assigned, a.NotStarted, a.InProgress, a.Finished, a.Spans, Time(a.LastActive)).Append('\n');
        return csv.ToString();
    }

    public static string DocumentsCsv(ProgressReport report)
    {
        var csv = new StringBuilder(DocumentsCsvHeader).Append('\n');
        foreach (var d in report.Documents)
            csv.AppendJoin(',', d.DocumentId, Field(d.Title), d.Assigned, d.Started, d.Finished, d.Required, d.Reviewers, d.CuratedSpans, CurationWord(d.Curation),
                d.Spans, Time(d.LastActive)).Append('\n');
        return csv.ToString();
    }

    /// <summary>A curation state as the API and CSV spell it: not_started, in_progress, curated, reopened.</summary>
    public static string CurationWord(CurationState state) => state switch
    {
        CurationState.InProgress => "in_progress",
        CurationState.Curated => "curated",
        CurationState.Reopened => "reopened",
        _ => "not_started",
    };

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    private static string Field(string value) => Agreement.AgreementReportsApiController.Field(value);
}
