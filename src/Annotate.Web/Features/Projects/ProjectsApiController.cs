using Microsoft.AspNetCore.RateLimiting;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Projects;

public record ProjectSummary(long Id, string Name, string Description, Visibility Visibility, ProjectRole Role, int Documents, DateTimeOffset CreatedAt,
    DateTimeOffset? ArchivedAt = null)
{
    /// <summary>The projects a person sees in the list: archived ones only when asked for (then only those).</summary>
    public static IQueryable<ProjectSummary> For(AppDbContext db, string userId, bool isAdmin, bool archived) => db.Projects
        .Where(p => isAdmin || p.Members.Any(m => m.UserId == userId))
        .Where(p => (p.ArchivedAt != null) == archived)
        .OrderBy(p => p.Name)
        .Select(p => new ProjectSummary(p.Id, p.Name, p.Description, p.Visibility,
            p.Members.Where(m => m.UserId == userId).Select(m => (ProjectRole?)m.Role).FirstOrDefault() ?? ProjectRole.Manager,
            db.Documents.Count(d => d.ProjectId == p.Id), p.CreatedAt, p.ArchivedAt));
}
public record NewProject([Required, Limited(nameof(Limits.ProjectName))] string Name, [Limited(nameof(Limits.ProjectDescription))] string? Description, Visibility? Visibility);
public record MemberView(string UserId, string Email, string DisplayName, ProjectRole Role);
public record NewMember([Required] string Email, [Required] ProjectRole? Role);
public record RoleChange([Required] ProjectRole? Role);
public record LabelView(long Id, LabelKind Kind, string Name, string Colour, string? Key);
public record ProjectDetails(long Id, string Name, string Description, string Guidelines, Visibility Visibility, bool SnapToWords,
    ProjectRole Role, IReadOnlyList<LabelView> Labels,
    AssignmentMode Assignment, int AnnotatorsPerDocument, int ReleaseAfterMinutes, bool FinishedLocks, bool AnonymousCuration, string Language);

[Route("api/projects")]
public class ProjectsApiController(AppDbContext db, ProjectAccess access, ProjectAdmin admin) : ApiController
{
    /// <summary>The caller's projects; archived ones are left out unless <c>archived=true</c>, which lists only them.</summary>
    [HttpGet]
    public async Task<IReadOnlyList<ProjectSummary>> List(bool archived = false) =>
        await ProjectSummary.For(db, ProjectAccess.UserId(User), ProjectAccess.IsAdmin(User), archived).ToListAsync();

    [HttpPost]
    public async Task<ActionResult<ProjectDetails>> Create(NewProject request)
    {
        var project = await admin.CreateAsync(ProjectAccess.UserId(User), request.Name, request.Description, request.Visibility ?? Visibility.Open);
        return CreatedAtAction(nameof(Get), new { id = project.Id }, ToDetails(project, ProjectRole.Manager));
    }

    [HttpGet("{id:long}")]
    public async Task<ProjectDetails> Get(long id)
    {
        var (project, role) = await access.RequireAsync(User, id);
        await db.Entry(project).Collection(p => p.Labels).LoadAsync();
        return ToDetails(project, role);
    }

    /// <summary>Changes any of the project's settings; every field is checked before any is changed.</summary>
    [HttpPatch("{id:long}")]
    public async Task<ProjectDetails> Update(long id, ProjectSettingsPatch request)
    {
        var (project, role) = await access.RequireManagerAsync(User, id);
        await admin.UpdateSettingsAsync(project, request);
        await db.Entry(project).Collection(p => p.Labels).LoadAsync();
        return ToDetails(project, role);
    }

    [HttpGet("{id:long}/members")]
    public async Task<IReadOnlyList<MemberView>> Members(long id)
    {
        await access.RequireAsync(User, id);
        return await db.ProjectMembers.Where(m => m.ProjectId == id)
            .OrderBy(m => m.User!.Email)
            .Select(m => new MemberView(m.UserId, m.User!.Email!, m.User.DisplayName, m.Role))
            .ToListAsync();
    }

    [HttpPost("{id:long}/members"), EnableRateLimiting(RateLimits.MemberAdd)]
    public async Task<ActionResult<MemberView>> AddMember(long id, NewMember request)
    {
        await access.RequireManagerAsync(User, id);
        var member = await admin.AddMemberAsync(id, request.Email, request.Role!.Value);
        return Created($"/api/projects/{id}/members", new MemberView(member.UserId, member.User!.Email!, member.User.DisplayName, member.Role));
    }

    [HttpPut("{id:long}/members/{userId}")]
    public async Task<IActionResult> ChangeRole(long id, string userId, RoleChange request)
    {
        await access.RequireManagerAsync(User, id);
        await admin.ChangeRoleAsync(id, userId, request.Role!.Value);
        return NoContent();
    }

    [HttpDelete("{id:long}/members/{userId}")]
    public async Task<IActionResult> RemoveMember(long id, string userId)
    {
        await access.RequireManagerAsync(User, id);
        await admin.RemoveMemberAsync(id, userId);
        return NoContent();
    }

    /// <summary>Archives the project (managers): hidden from the project list, read-only; reading and exporting still work.</summary>
    [HttpPost("{id:long}/archive")]
    public async Task<IActionResult> Archive(long id)
    {
        var (project, _) = await access.RequireManagerAsync(User, id);
        await admin.ArchiveAsync(project);
        return NoContent();
    }

    [HttpPost("{id:long}/unarchive")]
    public async Task<IActionResult> Unarchive(long id)
    {
        var (project, _) = await access.RequireManagerAsync(User, id);
        await admin.UnarchiveAsync(project);
        return NoContent();
    }

    private static ProjectDetails ToDetails(Project project, ProjectRole role) => new(
        project.Id, project.Name, project.Description, project.Guidelines, project.Visibility, project.SnapToWords, role,
        project.Labels.OrderBy(l => l.SortOrder).Select(ToView).ToList(),
        project.Assignment, project.AnnotatorsPerDocument, project.ReleaseAfterMinutes, project.FinishedLocks, project.AnonymousCuration, project.Language);

    public static LabelView ToView(LabelDefinition label) => new(label.Id, label.Kind, label.Name, label.Colour, label.Key);
}
