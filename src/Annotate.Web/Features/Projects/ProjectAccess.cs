using System.Security.Claims;
using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.Workflow;

namespace Annotate.Web.Features.Projects;

/// <summary>
/// The one place that answers "what may this person do in this project". A non-member gets 404 (the
/// project's existence is not revealed); a member below the needed role gets 403. Site admins act as managers.
/// Documents too: in an assigned or dynamic project an annotator may open only the documents assigned to them, and
/// every other document answers 404 as if it did not exist. Every route and hub method that takes a document (or
/// lists a project's documents, spans, links, claims or events) asks here, so none can forget the rule.
/// </summary>
public class ProjectAccess(AppDbContext db)
{
    public static string UserId(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new ProblemException(401, "Sign in required", "Sign in first.");

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(AppUser.AdminRole);

    /// <summary>The caller's role in the project, or null when they are not a member (or it does not exist).</summary>
    public async Task<ProjectRole?> RoleAsync(ClaimsPrincipal user, long projectId, CancellationToken cancel = default)
    {
        var userId = UserId(user);
        var role = await db.ProjectMembers
            .Where(m => m.ProjectId == projectId && m.UserId == userId)
            .Select(m => (ProjectRole?)m.Role)
            .FirstOrDefaultAsync(cancel);
        if (role is null && IsAdmin(user) && await db.Projects.AnyAsync(p => p.Id == projectId, cancel)) return ProjectRole.Manager;
        return role;
    }

    /// <summary>Loads the project when the caller is a member with one of <paramref name="allowed"/> (any member when empty).</summary>
    public async Task<(Project Project, ProjectRole Role)> RequireAsync(ClaimsPrincipal user, long projectId, params ProjectRole[] allowed)
    {
        var role = await RoleAsync(user, projectId) ?? throw NotFound(projectId);
        if (allowed.Length > 0 && !allowed.Contains(role))
            throw ProblemException.Forbidden(NeedsRole(projectId, role, allowed));
        var project = await db.Projects.FirstAsync(p => p.Id == projectId);
        return (project, role);
    }

    public Task<(Project Project, ProjectRole Role)> RequireManagerAsync(ClaimsPrincipal user, long projectId) =>
        RequireAsync(user, projectId, ProjectRole.Manager);

    /// <summary>Whether this member sees only the documents assigned to them: annotators of assigned and dynamic projects.</summary>
    public static bool OpensOnlyAssigned(Project project, ProjectRole role) => OpensOnlyAssigned(project.Assignment, role);

    public static bool OpensOnlyAssigned(AssignmentMode mode, ProjectRole role) => role == ProjectRole.Annotator && mode != AssignmentMode.Free;

    /// <summary>The rule itself, for callers that gathered the facts in one query of their own (the span write path).</summary>
    public static bool MayOpen(AssignmentMode mode, ProjectRole role, bool assigned) => assigned || !OpensOnlyAssigned(mode, role);

    /// <summary>The project's documents this member may open.</summary>
    public IQueryable<Document> Documents(Project project, ProjectRole role, string userId)
    {
        var documents = db.Documents.Where(d => d.ProjectId == project.Id);
        if (!OpensOnlyAssigned(project, role)) return documents;
        var dynamic = project.Assignment == AssignmentMode.Dynamic;
        return documents.Where(d => db.Assignments.Any(a => a.DocumentId == d.Id && a.UserId == userId && a.Kind == AssignmentKind.Annotate)
            || dynamic && db.Annotations.Any(a => a.DocumentId == d.Id && a.AnnotatorId == userId));
    }

    /// <summary>Ids of the documents this member may open, or null when they may open all of the project's (no filter needed).</summary>
    public IQueryable<long>? OpenableIds(Project project, ProjectRole role, string userId) =>
        OpensOnlyAssigned(project, role) ? Documents(project, role, userId).Select(d => d.Id) : null;

    /// <remarks>
    /// In a dynamic project a document released from an annotator (Next document handed it on after the timeout) stays
    /// open to them while they have spans on it: what they did stays theirs to see. New spans there need the assignment
    /// (the span write path checks it), so the document is not annotated by more people than the project asks for.
    /// </remarks>
    public async Task<bool> MayOpenAsync(Project project, ProjectRole role, string userId, long documentId) =>
        !OpensOnlyAssigned(project, role)
        || await db.Assignments.AnyAsync(a => a.DocumentId == documentId && a.UserId == userId && a.Kind == AssignmentKind.Annotate)
        || project.Assignment == AssignmentMode.Dynamic && await db.Annotations.AnyAsync(a => a.DocumentId == documentId && a.AnnotatorId == userId);

    /// <summary>In an open project everyone sees everyone's work; in a blind one only reviewers and managers do.</summary>
    public static bool SeesEveryone(Project project, ProjectRole role) => project.Visibility == Visibility.Open || role != ProjectRole.Annotator;

    /// <summary>
    /// The document with the caller as its viewer, when they may open it. A non-member, or an annotator it is not
    /// assigned to, hears 404 that reveals nothing (the same as for a document that does not exist); a member whose
    /// role is not one of <paramref name="roles"/> (any member when null) hears 403, with <paramref name="refusal"/>'s
    /// words (project id, role) when given. Read in one query.
    /// </summary>
    public async Task<OpenDocument> RequireDocumentAsync(ClaimsPrincipal user, long documentId, ProjectRole[]? roles = null,
        Func<long, ProjectRole, string>? refusal = null)
    {
        var userId = UserId(user);
        var known = await db.Documents.AsNoTracking().Where(d => d.Id == documentId).Select(d => new
        {
            Document = d,
            Project = d.Project!,
            Role = db.ProjectMembers.Where(m => m.ProjectId == d.ProjectId && m.UserId == userId).Select(m => (ProjectRole?)m.Role).FirstOrDefault(),
            Assigned = db.Assignments.Any(a => a.DocumentId == d.Id && a.UserId == userId && a.Kind == AssignmentKind.Annotate),
            Annotated = db.Annotations.Any(a => a.DocumentId == d.Id && a.AnnotatorId == userId),
        }).FirstOrDefaultAsync() ?? throw DocumentNotFound(documentId);
        var role = known.Role ?? (IsAdmin(user) ? ProjectRole.Manager : throw DocumentNotFound(documentId));
        if (roles is not null && !roles.Contains(role))
            throw ProblemException.Forbidden(refusal?.Invoke(known.Project.Id, role) ?? NeedsRole(known.Project.Id, role, roles));
        // A document released from an annotator in a dynamic project stays open to them while they have spans on it (see MayOpenAsync).
        RequireOpenable(documentId, known.Project.Assignment, role, known.Assigned || known.Project.Assignment == AssignmentMode.Dynamic && known.Annotated);
        return new OpenDocument(known.Document, new Viewer(userId, known.Project, role));
    }

    /// <summary>
    /// The caller as viewer of a project's documents, when they are a member and may open every one of
    /// <paramref name="documentIds"/>; null otherwise, so a row reached by its own id (a span, a link) answers with its
    /// own not-found, which reveals as little.
    /// </summary>
    public async Task<Viewer?> ViewerOfAsync(ClaimsPrincipal user, long projectId, params IEnumerable<long> documentIds)
    {
        if (await RoleAsync(user, projectId) is not { } role) return null;
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == projectId);
        var viewer = new Viewer(UserId(user), project, role);
        foreach (var documentId in documentIds)
            if (!await MayOpenAsync(project, role, viewer.UserId, documentId)) return null;
        return viewer;
    }

    /// <summary>
    /// The rule over facts already fetched, for the span write path, which gathers them in its one query: the member's
    /// role (a site admin who is not a member acts as manager), else 404; then 404 unless they may open the document.
    /// </summary>
    public static ProjectRole RequireOpenable(bool siteAdmin, long documentId, ProjectRole? memberRole, AssignmentMode mode, bool assigned)
    {
        var role = memberRole ?? (siteAdmin ? ProjectRole.Manager : throw DocumentNotFound(documentId));
        RequireOpenable(documentId, mode, role, assigned);
        return role;
    }

    private static void RequireOpenable(long documentId, AssignmentMode mode, ProjectRole role, bool assigned)
    {
        if (!MayOpen(mode, role, assigned)) throw DocumentNotFound(documentId);
    }

    /// <summary>404 for a document the caller may not open (used where the document's project is already known).</summary>
    public async Task RequireOpenableAsync(Viewer viewer, long documentId)
    {
        if (!await MayOpenAsync(viewer.Project, viewer.Role, viewer.UserId, documentId)) throw DocumentNotFound(documentId);
    }

    public static ProblemException DocumentNotFound(long id) =>
        ProblemException.NotFound($"Document {id} does not exist or you are not a member of its project.");

    private static string NeedsRole(long projectId, ProjectRole role, ProjectRole[] allowed) =>
        $"Your role in project {projectId} is {role.ToString().ToLowerInvariant()}; this needs {string.Join(" or ", allowed.Select(r => r.ToString().ToLowerInvariant()))}.";

    /// <summary>Refuses a write to an archived project (409: the request is fine, the project's state forbids it).</summary>
    public static void EnsureWritable(Project project)
    {
        if (project.IsArchived) throw Archived(project.Id);
    }

    public static ProblemException Archived(long projectId) => ProblemException.Conflict(
        $"Project {projectId} is archived, so it is read-only: reading and exporting still work. A manager can unarchive it on its Settings tab.");

    public static ProblemException NotFound(long projectId) =>
        ProblemException.NotFound($"Project {projectId} does not exist or you are not a member of it.");
}

/// <summary>Who reads: the caller's own work always; everyone's in an open project or as reviewer or manager.</summary>
public record Viewer(string UserId, Project Project, ProjectRole Role)
{
    public bool SeesEveryone => ProjectAccess.SeesEveryone(Project, Role);
}

/// <summary>A document the caller may open (<see cref="ProjectAccess.RequireDocumentAsync"/>), with who they are in its project.</summary>
public record OpenDocument(Document Document, Viewer Viewer)
{
    public Project Project => Viewer.Project;
    public ProjectRole Role => Viewer.Role;
    public string UserId => Viewer.UserId;
    public bool SeesEveryone => Viewer.SeesEveryone;
}
