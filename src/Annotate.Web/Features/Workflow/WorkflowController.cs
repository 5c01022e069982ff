using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Workflow;

public record MatrixPerson(string UserId, string Name, string Email, ProjectRole Role);
public record MatrixRow(long DocumentId, string Title);
/// <param name="Status">the person's state of the document, null when they have none</param>
public record MatrixCell(bool Assigned, DocumentStatus? Status);

/// <summary>The document x person matrix of one kind (annotate or curate), one page of documents at a time.</summary>
public record MatrixPage(Project Project, AssignmentKind Kind, IReadOnlyList<MatrixRow> Rows, IReadOnlyList<MatrixPerson> People,
    IReadOnlyDictionary<(long DocumentId, string UserId), MatrixCell> Cells, int Page, int Pages, int TotalDocuments, IReadOnlyDictionary<string, int> Loads,
    string? Search)
{
    public const int RowsPerPage = 50;
}

/// <param name="Documents">one page of the per-document table, searched by <paramref name="Query"/></param>
public record ProgressPage(Project Project, ProjectRole Role, IReadOnlyList<AnnotatorProgress> Annotators, ProgressTablePage<DocumentProgress> Documents,
    DocumentListQuery Query, IReadOnlyList<MatrixPerson> People, ProgressSort DocumentSort, ProgressSort PeopleSort, IReadOnlyList<FinishedDay> FinishedOverTime);

public record MyWorkPage(Project Project, ProjectRole Role, IReadOnlyList<QueueItem> Items, QueueCounts Counts, IReadOnlyList<CurateItem> ToCurate);

/// <summary>The workflow pages: the assignment matrix (managers) and a person's own queue (My work).</summary>
[Authorize]
public class WorkflowController(AppDbContext db, ProjectAccess access, Assignments assignments, AnnotationWriter writer, Progress progress) : Controller
{
    [HttpGet("/projects/{projectId:long}/assignments")]
    public async Task<IActionResult> Matrix(long projectId, string? kind, string? q, int page = 1)
    {
        var (project, _) = await access.RequireManagerAsync(User, projectId);
        var which = kind == "curate" ? AssignmentKind.Curate : AssignmentKind.Annotate;
        // Searched on the server by title or source, 50 rows a page: the matrix of 100,000 articles is one page of them.
        var documents = DocumentList.Searched(db.Documents.Where(d => d.ProjectId == projectId), q);
        var total = await documents.CountAsync();
        var pages = Math.Max(1, (total + MatrixPage.RowsPerPage - 1) / MatrixPage.RowsPerPage);
        page = Math.Clamp(page, 1, pages);
        var rows = await documents.OrderBy(d => d.Id)
            .Skip((page - 1) * MatrixPage.RowsPerPage).Take(MatrixPage.RowsPerPage)
            .Select(d => new MatrixRow(d.Id, d.Title)).ToListAsync();
        // Annotators annotate (managers may too); reviewers and managers curate.
        var people = await db.ProjectMembers.Where(m => m.ProjectId == projectId
                && (which == AssignmentKind.Annotate ? m.Role != ProjectRole.Reviewer : m.Role != ProjectRole.Annotator))
            .OrderBy(m => m.Role == ProjectRole.Manager).ThenBy(m => m.User!.Email)
            .Select(m => new MatrixPerson(m.UserId, m.User!.DisplayName, m.User.Email!, m.Role)).ToListAsync();
        var ids = rows.Select(r => r.DocumentId).ToList();
        var assigned = (await db.Assignments.Where(a => ids.Contains(a.DocumentId) && a.Kind == which).Select(a => new { a.DocumentId, a.UserId }).ToListAsync())
            .Select(a => (a.DocumentId, a.UserId)).ToHashSet();
        var states = await db.DocumentStates.Where(s => ids.Contains(s.DocumentId)).Select(s => new { s.DocumentId, s.UserId, s.Status }).ToListAsync();
        var cells = new Dictionary<(long, string), MatrixCell>();
        foreach (var row in rows)
        foreach (var person in people)
            cells[(row.DocumentId, person.UserId)] = new MatrixCell(assigned.Contains((row.DocumentId, person.UserId)), null);
        if (which == AssignmentKind.Annotate)
            foreach (var state in states)
                if (cells.TryGetValue((state.DocumentId, state.UserId), out var cell)) cells[(state.DocumentId, state.UserId)] = cell with { Status = state.Status };
        var loads = await db.Assignments.Where(a => a.ProjectId == projectId && a.Kind == which).GroupBy(a => a.UserId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        return View(new MatrixPage(project, which, rows, people, cells, page, pages, total, loads, q));
    }

    /// <summary>The matrix's bulk change: every ticked document x every ticked person, assigned or unassigned.</summary>
    [HttpPost("/projects/{projectId:long}/assignments")]
    public async Task<IActionResult> Set(long projectId, List<long> documents, List<string> users, string? kind, bool assigned, string? q, int page = 1)
    {
        var (project, _) = await access.RequireManagerAsync(User, projectId);
        await Attempt(async () =>
        {
            if (documents.Count == 0 || users.Count == 0) throw ProblemException.BadRequest("Tick at least one document (rows) and one person (columns) first.");
            var changed = await assignments.SetAsync(project, ProjectAccess.UserId(User), new AssignmentChange(documents, users, kind, assigned));
            return $"{(assigned ? "Assigned" : "Unassigned")}: {changed} change(s) for {documents.Count} document(s) x {users.Count} person(s).";
        });
        return Redirect(MatrixAddress(projectId, kind, page, q));
    }

    [HttpPost("/projects/{projectId:long}/assignments/spread")]
    public async Task<IActionResult> Spread(long projectId, string? annotatorsPerDocument)
    {
        var (project, _) = await access.RequireManagerAsync(User, projectId);
        await Attempt(async () =>
        {
            int? n = null;
            if (!string.IsNullOrWhiteSpace(annotatorsPerDocument))
                n = int.TryParse(annotatorsPerDocument, out var parsed) ? parsed : throw ProblemException.BadRequest($"'{annotatorsPerDocument}' is not a whole number of annotators.");
            var added = await assignments.SpreadAsync(project, ProjectAccess.UserId(User), n);
            return $"Each document now has {n ?? project.AnnotatorsPerDocument} annotator(s): {added} assignment(s) added.";
        });
        return Redirect(MatrixAddress(projectId, "annotate", 1));
    }

    /// <summary>A manager reopens a document an annotator finished (the button in the matrix and the progress tables).</summary>
    [HttpPost("/documents/{documentId:long}/reopen")]
    public async Task<IActionResult> Reopen(long documentId, string? userId, string? returnTo)
    {
        var document = await ManagersDocumentAsync(documentId);
        await Attempt(async () =>
        {
            var state = await writer.ReopenForAsync(User, documentId, userId);
            return $"Reopened {document.Title} for {state.UserName}.";
        });
        return Redirect(returnTo is { } back && back.StartsWith('/') && !back.StartsWith("//") ? back : $"/projects/{document.ProjectId}/assignments");
    }

    /// <summary>
    /// The Progress tab: the annotators sorted by any column (<c>peopleSort</c>/<c>peopleDir</c>), the chart, and the
    /// documents 50 at a time sorted by any column (<c>sort</c>/<c>dir</c>), searched on the server (<c>q</c> title or
    /// source, <c>assignee</c> me, an id or none; <c>after</c>/<c>before</c> cursors).
    /// </summary>
    [HttpGet("/projects/{projectId:long}/progress")]
    public async Task<IActionResult> ProgressPage(long projectId, string? sort, string? dir, string? peopleSort, string? peopleDir, string? q, string? assignee,
        string? after, string? before)
    {
        var (project, role) = await access.RequireAsync(User, projectId, ProjectRole.Manager, ProjectRole.Reviewer);
        var userId = ProjectAccess.UserId(User);
        var documentSort = ProgressSort.Documents(sort, dir);
        var peopleOrder = ProgressSort.Annotators(peopleSort, peopleDir, "peopleSort", "peopleDir");
        var annotators = await progress.AnnotatorsAsync(project, role);
        var query = new DocumentListQuery(q, Assignee: DocumentList.ParseAssignee(assignee, userId), After: after, Before: before);
        var documents = await progress.DocumentsPageAsync(project, query, documentSort);
        var members = annotators.Select(a => new MatrixPerson(a.UserId, a.Name, a.Email, ProjectRole.Annotator)).ToList();
        var finished = await progress.FinishedOverTimeAsync(projectId);
        return View("Progress", new ProgressPage(project, role, Workflow.Progress.Sorted(annotators, peopleOrder), documents, query, members,
            documentSort, peopleOrder, finished));
    }

    /// <summary>The matrix's Reset: confirmed by a ticked box in the same form (no script needed).</summary>
    [HttpPost("/documents/{documentId:long}/reset")]
    public async Task<IActionResult> Reset(long documentId, string? userId, bool confirm, string? returnTo)
    {
        var document = await ManagersDocumentAsync(documentId);
        await Attempt(async () =>
        {
            var (spans, links) = await writer.ResetWorkAsync(User, documentId, userId, confirm);
            return $"Reset: {spans} span(s) and {links} link(s) deleted on {document.Title}; it is new for them again.";
        });
        return Redirect(returnTo is { } back && back.StartsWith('/') && !back.StartsWith("//") ? back : $"/projects/{document.ProjectId}/assignments");
    }

    [HttpGet("/projects/{projectId:long}/my-work")]
    public async Task<IActionResult> MyWork(long projectId)
    {
        var (project, role) = await access.RequireAsync(User, projectId);
        var items = await assignments.QueueAsync(project, role, ProjectAccess.UserId(User));
        return View(new MyWorkPage(project, role, items, WorkflowApiController.Count(items), await assignments.ToCurateAsync(projectId, ProjectAccess.UserId(User))));
    }

    /// <summary>Next document from a page (My work, the editor without script): opens it, or says why there is none.</summary>
    [HttpPost("/projects/{projectId:long}/next-document")]
    public async Task<IActionResult> Next(long projectId, long? current)
    {
        var (project, role) = await access.RequireAsync(User, projectId);
        var next = await assignments.NextAsync(project, role, ProjectAccess.UserId(User), current);
        if (next.DocumentId is { } id) return Redirect(next.Review ? $"/documents/{id}/review" : $"/documents/{id}");
        TempData["Message"] = next.Message;
        return Redirect($"/projects/{projectId}/my-work");
    }

    private static string MatrixAddress(long projectId, string? kind, int page, string? q = null) =>
        $"/projects/{projectId}/assignments?kind={(kind == "curate" ? "curate" : "annotate")}&page={page}"
        + (string.IsNullOrWhiteSpace(q) ? "" : "&q=" + Uri.EscapeDataString(q));

    /// <summary>
    /// The document of a manager's form (Reopen, Reset): anyone else is answered 403 (a non-member 404) before the form is
    /// tried, as every other page answers, not redirected to the assignments page with the refusal as a flash message.
    /// </summary>
    private async Task<Document> ManagersDocumentAsync(long documentId)
    {
        var document = (await access.RequireDocumentAsync(User, documentId)).Document;
        await access.RequireManagerAsync(User, document.ProjectId);
        return document;
    }

    private async Task Attempt(Func<Task<string>> change)
    {
        try { TempData["Message"] = await change(); }
        catch (ProblemException problem) { TempData["Error"] = problem.Detail; }
    }
}
