using Microsoft.AspNetCore.RateLimiting;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.Imports;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Projects;

public record ProjectPage(Project Project, ProjectRole Role, DocumentListing Documents,
    IReadOnlyList<MemberView> Members, IReadOnlyList<LabelDefinition> Labels, string GuidelinesHtml, string Tab)
{
    /// <summary>The document list's search as asked (q, state), for the form and the paging links.</summary>
    public DocumentListQuery Query { get; init; } = new();
    /// <summary>The caller's own state on each listed document (absent: new).</summary>
    public IReadOnlyDictionary<long, DocumentStatus> MyStates { get; init; } = new Dictionary<long, DocumentStatus>();
}

/// <summary>The project list: those in use, or (<see cref="Archived"/>) the archived ones; <see cref="Others"/> counts the other list.</summary>
public record ProjectList(IReadOnlyList<ProjectSummary> Projects, bool Archived, int Others);

/// <summary>The project pages. Each action checks the caller's role; shared rules live in ProjectAdmin.</summary>
[Authorize]
[Route("projects")]
public class ProjectsController(AppDbContext db, ProjectAccess access, ProjectAdmin admin, DocumentImporter importer, DocumentList list) : Controller
{
    [HttpGet("/")]
    public IActionResult Home() => Redirect("/projects");

    [HttpGet("")]
    public async Task<IActionResult> Index(bool archived = false)
    {
        var userId = ProjectAccess.UserId(User);
        var isAdmin = ProjectAccess.IsAdmin(User);
        var projects = await ProjectSummary.For(db, userId, isAdmin, archived).ToListAsync();
        // The other list's size, for the link between the two.
        var others = await db.Projects.CountAsync(p => (isAdmin || p.Members.Any(m => m.UserId == userId)) && (p.ArchivedAt != null) != archived);
        return View(new ProjectList(projects, archived, others));
    }

    [HttpPost("")]
    public async Task<IActionResult> Create(string? name, string? description, Visibility visibility = Visibility.Open)
    {
        try
        {
            var project = await admin.CreateAsync(ProjectAccess.UserId(User), name, description, visibility);
            return Redirect($"/projects/{project.Id}");
        }
        catch (ProblemException problem)
        {
            TempData["Error"] = problem.Detail;
            return Redirect("/projects");
        }
    }

    [HttpGet("{id:long}")]
    public async Task<IActionResult> Show(long id, string tab = "documents", string? q = null, string? state = null, string? assignee = null, string? after = null, string? before = null)
    {
        var (project, role) = await access.RequireAsync(User, id);
        var userId = ProjectAccess.UserId(User);
        // One page of the documents, searched on the server: the page weighs the same with 10 or 100,000 of them.
        var query = new DocumentListQuery(q, DocumentList.ParseState(state), DocumentList.ParseAssignee(assignee, userId), After: after, Before: before);
        // Only what this person may open: annotators of assigned and dynamic projects see their own documents.
        var documents = await list.PageAsync(id, userId, query, access.OpenableIds(project, role, userId));
        var listed = documents.Items.Select(d => d.Id).ToList();
        var myStates = await db.DocumentStates.Where(s => s.UserId == userId && listed.Contains(s.DocumentId))
            .ToDictionaryAsync(s => s.DocumentId, s => s.Status);
        var members = await db.ProjectMembers.Where(m => m.ProjectId == id).OrderBy(m => m.User!.Email)
            .Select(m => new MemberView(m.UserId, m.User!.Email!, m.User.DisplayName, m.Role))
            .ToListAsync();
        var labels = await db.LabelDefinitions.Where(l => l.ProjectId == id).OrderBy(l => l.SortOrder).ToListAsync();
        var known = new[] { "documents", "members", "labels", "guidelines", "settings" };
        return View(new ProjectPage(project, role, documents, members, labels, Markdown.ToSafeHtml(project.Guidelines),
            known.Contains(tab) ? tab : "documents") { Query = query, MyStates = myStates });
    }

    [HttpPost("{id:long}/import")]
    [ImportUpload]
    public async Task<IActionResult> Import(long id, List<IFormFile> files, string? annotations, string? createLabels, CancellationToken cancel)
    {
        await access.RequireManagerAsync(User, id);
        return await Attempt(id, "documents", async () =>
        {
            var mode = await importer.AnnotationModeAsync(id, annotations, createLabels);
            var result = await importer.ImportAsync(id, ProjectAccess.UserId(User),
                files.Select(f => new UploadedFile(f.FileName, f.Length, f.OpenReadStream)).ToList(), cancel, mode);
            var message = $"Imported {result.Created.Count} article(s).";
            if (mode is not null) message += $" With them {result.Spans} span(s) and {result.Relations} link(s).";
            // The message travels in a cookie: a large import names the first few and counts the rest (the API lists all).
            message += string.Concat(FirstFew(result.Warnings, MaxListedWarnings).Select(w => " " + w));
            if (result.Duplicates.Count > 0)
                message += $" Already here, not imported again: {string.Join(", ", FirstFew(result.Duplicates.Select(d => ImportError.Where(d.File, d.Line)).ToList(), MaxListedWarnings))}.";
            return message;
        });
    }

    [HttpPost("{id:long}/members"), EnableRateLimiting(RateLimits.MemberAdd)]
    public async Task<IActionResult> AddMember(long id, string? email, ProjectRole role)
    {
        await access.RequireManagerAsync(User, id);
        return await Attempt(id, "members", async () =>
        {
            await admin.AddMemberAsync(id, email, role);
            return $"Added {email} as {role.ToString().ToLowerInvariant()}.";
        });
    }

    [HttpPost("{id:long}/members/{userId}/role")]
    public async Task<IActionResult> ChangeRole(long id, string userId, ProjectRole role)
    {
        await access.RequireManagerAsync(User, id);
        return await Attempt(id, "members", async () =>
        {
            await admin.ChangeRoleAsync(id, userId, role);
            return "Role changed.";
        });
    }

    [HttpPost("{id:long}/members/{userId}/remove")]
    public async Task<IActionResult> RemoveMember(long id, string userId)
    {
        await access.RequireManagerAsync(User, id);
        return await Attempt(id, "members", async () =>
        {
            await admin.RemoveMemberAsync(id, userId);
            return "Member removed.";
        });
    }

    [HttpPost("{id:long}/labels")]
    public async Task<IActionResult> SaveLabel(long id, long? labelId, LabelKind kind, string? name, string? colour, string? key)
    {
        await access.RequireManagerAsync(User, id);
        return await Attempt(id, "labels", async () =>
        {
            var label = await admin.SaveLabelAsync(id, labelId, kind, name, colour, key);
            return $"Label {label.Name} saved.";
        });
    }

    [HttpPost("{id:long}/labels/{labelId:long}/delete")]
    public async Task<IActionResult> DeleteLabel(long id, long labelId)
    {
        await access.RequireManagerAsync(User, id);
        return await Attempt(id, "labels", async () =>
        {
            await admin.DeleteLabelAsync(id, labelId);
            return "Label deleted.";
        });
    }

    [HttpPost("{id:long}/guidelines")]
    [RequestSizeLimit(ProjectAdmin.GuidelinesFormBytes)]
    public async Task<IActionResult> SaveGuidelines(long id, string? guidelines)
    {
        var (project, _) = await access.RequireManagerAsync(User, id);
        return await Attempt(id, "guidelines", async () =>
        {
            await admin.UpdateGuidelinesAsync(project, guidelines);
            return "Guidelines saved.";
        });
    }

    /// <summary>
    /// The guidelines editor's preview: the Markdown as posted, rendered exactly as the guidelines will be, into the
    /// frame beside the editor. Nothing is saved.
    /// </summary>
    [HttpPost("{id:long}/guidelines/preview")]
    [RequestSizeLimit(ProjectAdmin.GuidelinesFormBytes)]
    public async Task<IActionResult> PreviewGuidelines(long id, string? guidelines)
    {
        await access.RequireManagerAsync(User, id);
        return View("GuidelinesPreview", Markdown.ToSafeHtml(guidelines));
    }

    /// <summary>
    /// The settings form: the same rules as PATCH /api/projects/{id}. A form sends every setting; an unticked box
    /// is absent, so the booleans default to false, and numbers arrive as text so "abc" is named, not silently 0.
    /// </summary>
    [HttpPost("{id:long}/settings")]
    public async Task<IActionResult> SaveSettings(long id, string? name, string? description, string? visibility, bool snapToWords,
        string? assignment, string? annotatorsPerDocument, string? releaseAfterMinutes, bool finishedLocks, bool anonymousCuration, string? language)
    {
        var (project, _) = await access.RequireManagerAsync(User, id);
        return await Attempt(id, "settings", async () =>
        {
            var errors = new Dictionary<string, string[]>();
            int? Number(string field, string? text)
            {
                if (string.IsNullOrWhiteSpace(text)) return null;
                if (int.TryParse(text.Trim(), out var number)) return number;
                errors[field] = [$"'{text}' is not a whole number."];
                return null;
            }
            var patch = new ProjectSettingsPatch(name ?? "", description ?? "", visibility, snapToWords, assignment,
                Number("annotatorsPerDocument", annotatorsPerDocument), Number("releaseAfterMinutes", releaseAfterMinutes),
                finishedLocks, anonymousCuration, language);
            await admin.UpdateSettingsAsync(project, patch, errors);
            return "Settings saved.";
        });
    }

    [HttpPost("{id:long}/archive")]
    public async Task<IActionResult> Archive(long id)
    {
        var (project, _) = await access.RequireManagerAsync(User, id);
        return await Attempt(id, "settings", async () =>
        {
            await admin.ArchiveAsync(project);
            return "Project archived: it is read-only and hidden from the project list until you unarchive it.";
        });
    }

    [HttpPost("{id:long}/unarchive")]
    public async Task<IActionResult> Unarchive(long id)
    {
        var (project, _) = await access.RequireManagerAsync(User, id);
        return await Attempt(id, "settings", async () =>
        {
            await admin.UnarchiveAsync(project);
            return "Project unarchived: it can be changed again.";
        });
    }

    // What a page message lists at most: it is kept in a cookie until shown, and browsers cap cookies at a few KB.
    private const int MaxListedErrors = 20, MaxListedWarnings = 5;

    private static IEnumerable<string> FirstFew(IReadOnlyList<string> items, int most) =>
        items.Count <= most ? items : [.. items.Take(most), $"(and {items.Count - most} more)"];

    /// <summary>Runs a change and returns to the tab with its outcome: a success line or the reason it was refused.</summary>

    private async Task<IActionResult> Attempt(long id, string tab, Func<Task<string>> change)
    {
        try { TempData["Message"] = await change(); }
        catch (ProblemException problem)
        {
            TempData["Error"] = problem.Detail;
            // An import names every problem (file and line), not only the first: all of them are needed to fix the files.
            if (problem.ImportErrors is { } errors)
            {
                TempData["ErrorList"] = FirstFew(errors.Select(e => e.Describe()).ToList(), MaxListedErrors).ToArray();
            }
        }
        return Redirect($"/projects/{id}?tab={tab}");
    }
}
