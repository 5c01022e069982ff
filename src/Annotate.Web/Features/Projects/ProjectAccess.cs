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
            throw ProblemException.Forbidden($"Your role in project {projectId} is {role.ToString().ToLowerInvariant()}; this needs {string.Join(" or ", allowed.Select(r => r.ToString().ToLowerInvariant()))}.");
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

    /// <summary>
    /// The document with its project and the caller's role, when the caller may open it; otherwise 404 that reveals
    /// nothing (a non-member, or an annotator it is not assigned to, hears the same as for a document that does not exist).
    /// </summary>
    public async Task<(Document Document, Project Project, ProjectRole Role)> RequireDocumentAsync(ClaimsPrincipal user, long documentId)
    {
        var document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == documentId) ?? throw DocumentNotFound(documentId);
        var role = await RoleAsync(user, document.ProjectId) ?? throw DocumentNotFound(documentId);
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == document.ProjectId);
        if (!await MayOpenAsync(project, role, UserId(user), documentId)) throw DocumentNotFound(documentId);
        return (document, project, role);
    }

    /// <summary>404 for a document the caller may not open (used where the document's project is already known).</summary>
    public async Task RequireOpenableAsync(Project project, ProjectRole role, string userId, long documentId)
    {
        if (!await MayOpenAsync(project, role, userId, documentId)) throw DocumentNotFound(documentId);
    }

    public static ProblemException DocumentNotFound(long id) =>
        ProblemException.NotFound($"Document {id} does not exist or you are not a member of its project.");
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
