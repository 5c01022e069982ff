using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Workflow;

public record NextRequest(long? Current);
public record ReopenRequest(string? UserId);
public record ResetRequest(string? UserId, bool Confirm);
public record ResetResult(int SpansDeleted, int LinksDeleted);
public record QueueCounts(int New, int InProgress, int Finished);
/// <param name="ToCurate">the documents the caller is assigned to curate (reviewers and managers), with their curation state</param>
public record MyWork(AssignmentMode Assignment, IReadOnlyList<QueueItem> Items, QueueCounts Counts, IReadOnlyList<CurateItem> ToCurate);
public record AssignmentsChanged(int Changed, IReadOnlyList<AssignmentView> Assignments);

/// <summary>Assignments, queues and Next document over REST. Managers assign; everyone else sees their own queue only.</summary>
[Route("api")]
public class WorkflowApiController(ProjectAccess access, Assignments assignments, AnnotationWriter writer, Progress progress) : ApiController
{
    /// <summary>All of the project's assignments for managers; a member's own for everyone else.</summary>
    [HttpGet("projects/{projectId:long}/assignments")]
    public async Task<IReadOnlyList<AssignmentView>> List(long projectId)
    {
        var (_, role) = await access.RequireAsync(User, projectId);
        return await assignments.ListAsync(projectId, role == ProjectRole.Manager ? null : ProjectAccess.UserId(User));
    }

    /// <summary>Sets every pair of <c>documents</c> x <c>users</c> to assigned (<c>assigned: true</c>) or not, for <c>kind</c> annotate or curate.</summary>
    [HttpPut("projects/{projectId:long}/assignments")]
    public async Task<AssignmentsChanged> Set(long projectId, AssignmentChange change)
    {
        var (project, _) = await access.RequireManagerAsync(User, projectId);
        var changed = await assignments.SetAsync(project, ProjectAccess.UserId(User), change);
        return new AssignmentsChanged(changed, await assignments.ListAsync(projectId));
    }

    /// <summary>Each document to N annotators (default: the project's setting), spread evenly by workload.</summary>
    [HttpPost("projects/{projectId:long}/assignments/spread")]
    public async Task<SpreadResult> Spread(long projectId, SpreadRequest? request)
    {
        var (project, _) = await access.RequireManagerAsync(User, projectId);
        var n = request?.AnnotatorsPerDocument ?? project.AnnotatorsPerDocument;
        var added = await assignments.SpreadAsync(project, ProjectAccess.UserId(User), n);
        return new SpreadResult(added, n, await assignments.ListAsync(projectId));
    }

    /// <summary>The document to open next (after <c>current</c>); in a dynamic project one is handed out when the queue is done.</summary>
    [HttpPost("projects/{projectId:long}/next-document")]
    public async Task<NextDocument> Next(long projectId, NextRequest? request)
    {
        var (project, role) = await access.RequireAsync(User, projectId);
        return await assignments.NextAsync(project, role, ProjectAccess.UserId(User), request?.Current);
    }

    /// <summary>The caller's own queue: their documents with state and span counts.</summary>
    [HttpGet("projects/{projectId:long}/my-work")]
    public async Task<MyWork> Mine(long projectId)
    {
        var (project, role) = await access.RequireAsync(User, projectId);
        var items = await assignments.QueueAsync(project, role, ProjectAccess.UserId(User));
        return new MyWork(project.Assignment, items, Count(items), await assignments.ToCurateAsync(projectId, ProjectAccess.UserId(User)));
    }

    /// <summary>A manager reopens a document an annotator finished (logged, the manager as actor).</summary>
    [HttpPost("documents/{documentId:long}/reopen")]
    public Task<DocumentStateView> Reopen(long documentId, ReopenRequest request) => writer.ReopenForAsync(User, documentId, request.UserId);

    /// <summary>
    /// Per annotator and per document: who is behind, what is ready for review (managers and reviewers). The documents in
    /// <c>sort</c>/<c>dir</c> order, the annotators in <c>annotatorSort</c>/<c>annotatorDir</c> order.
    /// </summary>
    [HttpGet("projects/{projectId:long}/progress")]
    public async Task<ProgressReport> Progress(long projectId, string? sort, string? dir, string? annotatorSort, string? annotatorDir)
    {
        var (project, role) = await access.RequireAsync(User, projectId, ProjectRole.Manager, ProjectRole.Reviewer);
        return await progress.ReportAsync(project, role, ProgressSort.Documents(sort, dir), ProgressSort.Annotators(annotatorSort, annotatorDir, "annotatorSort", "annotatorDir"));
    }

    /// <summary>
    /// The per-document table a page at a time: <c>{items, next, total}</c> like the documents list, in the order of
    /// <c>sort</c> (a column: id, the default, title, assigned, started, finished, reviewers, spans, curatedSpans,
    /// curation, lastActive) and <c>dir</c> (asc, desc); the cursor carries the sort. <c>q</c> searches title and source,
    /// <c>assignee</c> (<c>me</c>, a user id, <c>none</c>) keeps that person's documents.
    /// </summary>
    [HttpGet("projects/{projectId:long}/progress/documents")]
    public async Task<ProgressTablePage<DocumentProgress>> ProgressDocuments(long projectId, string? q, string? assignee, string? cursor, string? sort, string? dir, int limit = 100)
    {
        var (project, _) = await access.RequireAsync(User, projectId, ProjectRole.Manager, ProjectRole.Reviewer);
        var userId = ProjectAccess.UserId(User);
        return await progress.DocumentsPageAsync(project, new DocumentListQuery(q, Assignee: DocumentList.ParseAssignee(assignee, userId), After: cursor, Limit: limit),
            ProgressSort.Documents(sort, dir));
    }

    /// <summary>
    /// The per-annotator table as <c>{items, next, total}</c>, in the order of <c>sort</c> (name, the default, email,
    /// assigned, notStarted, inProgress, finished, spans, lastActive) and <c>dir</c>.
    /// </summary>
    [HttpGet("projects/{projectId:long}/progress/annotators")]
    public async Task<ProgressTablePage<AnnotatorProgress>> ProgressAnnotators(long projectId, string? cursor, string? sort, string? dir, int limit = 100)
    {
        var (project, role) = await access.RequireAsync(User, projectId, ProjectRole.Manager, ProjectRole.Reviewer);
        return await progress.AnnotatorsPageAsync(project, role, ProgressSort.Annotators(sort, dir), cursor, limit);
    }

    /// <summary>One of the progress tables as CSV: <c>table=annotators</c> (the default) or <c>table=documents</c>, in <c>sort</c>/<c>dir</c> order.</summary>
    [HttpGet("projects/{projectId:long}/progress.csv")]
    [Produces("text/csv")]
    public async Task<IActionResult> ProgressCsv(long projectId, string? table, string? sort, string? dir)
    {
        var (project, role) = await access.RequireAsync(User, projectId, ProjectRole.Manager, ProjectRole.Reviewer);
        if (table is not (null or "annotators" or "documents"))
            throw ProblemException.BadRequest("table is \"annotators\" or \"documents\".");
        var documents = table == "documents";
        var report = documents
            ? await progress.ReportAsync(project, role, ProgressSort.Documents(sort, dir), ProgressSort.Annotators(null, null))
            : await progress.ReportAsync(project, role, ProgressSort.Documents(null, null), ProgressSort.Annotators(sort, dir));
        var csv = documents ? Workflow.Progress.DocumentsCsv(report) : Workflow.Progress.AnnotatorsCsv(report);
        return File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", $"progress-{projectId}-{(documents ? "documents" : "annotators")}.csv");
    }

    /// <summary>A manager resets an annotator's work on a document: their spans and links there deleted, state new (logged). Needs <c>confirm: true</c>.</summary>
    [HttpPost("documents/{documentId:long}/reset")]
    public async Task<ResetResult> Reset(long documentId, ResetRequest request)
    {
        var (spans, links) = await writer.ResetWorkAsync(User, documentId, request.UserId, request.Confirm);
        return new ResetResult(spans, links);
    }

    public static QueueCounts Count(IReadOnlyList<QueueItem> items) => new(
        items.Count(i => i.Status == DocumentStatus.New), items.Count(i => i.Status == DocumentStatus.InProgress), items.Count(i => i.Status == DocumentStatus.Finished));
}
