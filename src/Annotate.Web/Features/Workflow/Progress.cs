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
/// <param name="Curation">its curation state (the review's document state; not started when nobody has reviewed it)</param>
public record DocumentProgress(long DocumentId, string Title, int Assigned, int Started, int Finished, int Required, int Reviewers, int CuratedSpans,
    CurationState Curation);

public record ProgressReport(long ProjectId, AssignmentMode Assignment, int AnnotatorsPerDocument, IReadOnlyList<AnnotatorProgress> Annotators, IReadOnlyList<DocumentProgress> Documents);

/// <summary>How many documents one annotator finished (for the first time) on one day (UTC), from the change log.</summary>
public class FinishedDay
{
    public string UserId { get; set; } = "";
    public DateOnly Day { get; set; }
    public int Count { get; set; }
}

/// <summary>One page of the per-document table: the API answers it as <c>{items, next, total}</c>, like the documents list.</summary>
public record DocumentProgressPage(IReadOnlyList<DocumentProgress> Items, string? Next, int Total)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Previous { get; init; }
}

/// <summary>
/// The Progress tab's figures: per annotator and per document, from assignments, states and spans. Every figure is
/// counted in the database (grouped), so a project of 100,000 articles costs a few grouped scans, not rows in memory;
/// the per-document table comes a page at a time (the documents list's paging and search).
/// </summary>
public class Progress(AppDbContext db, DocumentList list)
{
    /// <summary>Both tables whole: the API's report and the CSV downloads.</summary>
    public async Task<ProgressReport> ReportAsync(Project project)
    {
        var documents = await db.Documents.AsNoTracking().Where(d => d.ProjectId == project.Id).OrderBy(d => d.Id)
            .Select(d => new DocumentRow(d.Id, d.Title)).ToListAsync();
        return new ProgressReport(project.Id, project.Assignment, project.AnnotatorsPerDocument, await AnnotatorsAsync(project),
            await FiguresAsync(project, documents, db.Documents.Where(d => d.ProjectId == project.Id).Select(d => d.Id)));
    }

    /// <summary>One page of the per-document table: the documents of <paramref name="query"/> (search, assignee, cursor) with their figures.</summary>
    public async Task<DocumentProgressPage> DocumentsPageAsync(Project project, string viewerId, DocumentListQuery query)
    {
        var page = await list.PageAsync(project.Id, viewerId, query);
        var ids = page.Items.Select(d => d.Id).ToList();
        var rows = page.Items.Select(d => new DocumentRow(d.Id, d.Title)).ToList();
        return new DocumentProgressPage(await FiguresAsync(project, rows, db.Documents.Where(d => ids.Contains(d.Id)).Select(d => d.Id)), page.Next, page.Total)
        {
            Previous = page.Previous,
        };
    }

    private record DocumentRow(long Id, string Title);

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

    /// <summary>Annotators, and anyone else given documents to annotate or with work of their own.</summary>
    public async Task<IReadOnlyList<AnnotatorProgress>> AnnotatorsAsync(Project project)
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

    /// <summary>The per-document figures of <paramref name="rows"/>, counted in the database over <paramref name="ids"/> (the same documents).</summary>
    private async Task<IReadOnlyList<DocumentProgress>> FiguresAsync(Project project, IReadOnlyList<DocumentRow> rows, IQueryable<long> ids)
    {
        var assignments = await db.Assignments.AsNoTracking().Where(a => ids.Contains(a.DocumentId)).GroupBy(a => new { a.DocumentId, a.Kind })
            .Select(g => new { g.Key.DocumentId, g.Key.Kind, Count = g.Count() }).ToListAsync();
        var states = await db.DocumentStates.AsNoTracking().Where(s => ids.Contains(s.DocumentId) && s.Status != DocumentStatus.New)
            .GroupBy(s => new { s.DocumentId, s.Status }).Select(g => new { g.Key.DocumentId, g.Key.Status, Count = g.Count() }).ToListAsync();
        var curated = await db.Annotations.AsNoTracking().Where(a => ids.Contains(a.DocumentId) && a.Origin == Annotations.AnnotationOrigin.Curated)
            .GroupBy(a => a.DocumentId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        var curation = await db.DocumentCurations.AsNoTracking().Where(c => ids.Contains(c.DocumentId))
            .Select(c => new { c.DocumentId, c.State }).ToDictionaryAsync(c => c.DocumentId, c => c.State);
        var annotate = assignments.Where(a => a.Kind == AssignmentKind.Annotate).ToDictionary(a => a.DocumentId, a => a.Count);
        var curate = assignments.Where(a => a.Kind == AssignmentKind.Curate).ToDictionary(a => a.DocumentId, a => a.Count);
        var started = states.GroupBy(s => s.DocumentId).ToDictionary(g => g.Key, g => g.Sum(s => s.Count));
        var finished = states.Where(s => s.Status == DocumentStatus.Finished).ToDictionary(s => s.DocumentId, s => s.Count);
        return rows.Select(d => new DocumentProgress(d.Id, d.Title, annotate.GetValueOrDefault(d.Id), started.GetValueOrDefault(d.Id),
            finished.GetValueOrDefault(d.Id), project.AnnotatorsPerDocument, curate.GetValueOrDefault(d.Id), curated.GetValueOrDefault(d.Id),
            curation.GetValueOrDefault(d.Id, CurationState.NotStarted))).ToList();
    }

    public const string AnnotatorsCsvHeader = "user_id,name,email,assigned,not_started,in_progress,finished,spans,last_active";
    public const string DocumentsCsvHeader = "document_id,title,assigned,started,finished,required,reviewers,curated_spans,curation_state";

    public static string AnnotatorsCsv(ProgressReport report)
    {
        var csv = new StringBuilder(AnnotatorsCsvHeader).Append('\n');
        foreach (var a in report.Annotators)
            csv.AppendJoin(',', Field(a.UserId), Field(a.Name), Field(a.Email), a.Assigned, a.NotStarted, a.InProgress, a.Finished, a.Spans,
                a.LastActive?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "").Append('\n');
        return csv.ToString();
    }

    public static string DocumentsCsv(ProgressReport report)
    {
        var csv = new StringBuilder(DocumentsCsvHeader).Append('\n');
        foreach (var d in report.Documents)
            csv.AppendJoin(',', d.DocumentId, Field(d.Title), d.Assigned, d.Started, d.Finished, d.Required, d.Reviewers, d.CuratedSpans, CurationWord(d.Curation)).Append('\n');
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

    private static string Field(string value) => Agreement.AgreementReportsApiController.Field(value);
}
