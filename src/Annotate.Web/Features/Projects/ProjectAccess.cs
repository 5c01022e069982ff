using System.Security.Claims;
using Annotate.Web.Data;
using Annotate.Web.Features.Accounts;
using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Projects;

/// <summary>
/// The one place that answers "what may this person do in this project". A non-member gets 404 (the
/// project's existence is not revealed); a member below the needed role gets 403. Site admins act as managers.
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
