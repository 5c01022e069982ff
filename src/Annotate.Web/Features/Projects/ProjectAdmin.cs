using System.Text.RegularExpressions;
using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.LiveSync;

namespace Annotate.Web.Features.Projects;

/// <summary>
/// Changes to projects, shared by the pages and the API so both enforce the same rules. Callers check the
/// caller's role first (ProjectAccess); these methods check the data.
/// </summary>
public partial class ProjectAdmin(AppDbContext db, ChangeLog log)
{
    public async Task<Project> CreateAsync(string creatorId, string? name, string? description, Visibility visibility)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) throw ProblemException.BadRequest("A project needs a name.");
        Limits.ProjectName.Require(name);
        Limits.ProjectDescription.Require(description);
        var now = DateTimeOffset.UtcNow;
        var project = new Project
        {
            Name = name,
            Description = description?.Trim() ?? "",
            Visibility = visibility,
            CreatedAt = now,
            Members = [new ProjectMember { UserId = creatorId, Role = ProjectRole.Manager, AddedAt = now }],
            Labels = LabelDefinition.DefaultsForNews().ToList(),
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        return project;
    }

    /// <summary>Applies a settings change when every field of it is valid (ProjectSettings); nothing otherwise.</summary>
    public async Task UpdateSettingsAsync(Project project, ProjectSettingsPatch patch, IDictionary<string, string[]>? earlierErrors = null)
    {
        ProjectAccess.EnsureWritable(project);
        var accessChanged = ProjectSettings.Apply(project, patch, earlierErrors);
        await db.SaveChangesAsync();
        // Blind, assigned and dynamic projects show people less: live subscriptions are checked afresh.
        if (accessChanged) await LiveAccess.AnnounceAsync(db, project.Id, null);
    }

    /// <summary>
    /// The guidelines form at its longest: a form encodes a character in at most 12 bytes (a code point beyond the
    /// Basic Multilingual Plane is %F0%9F%99%82, one of two UTF-16 units is at most %E2%80%99), plus the token.
    /// </summary>
    public const int GuidelinesFormBytes = 12 * Limits.GuidelinesMax + 16 * 1024;

    public async Task UpdateGuidelinesAsync(Project project, string? markdown)
    {
        ProjectAccess.EnsureWritable(project);
        Limits.Guidelines.Require(markdown);
        project.Guidelines = markdown ?? "";
        await db.SaveChangesAsync();
    }

    public async Task<ProjectMember> AddMemberAsync(long projectId, string? email, ProjectRole role)
    {
        await EnsureWritableAsync(projectId);
        email = email?.Trim();
        if (string.IsNullOrEmpty(email)) throw ProblemException.BadRequest("Give the email of the person to add.");
        var normalized = email.ToUpperInvariant();
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized)
            ?? throw ProblemException.BadRequest($"No account uses {email}. Ask them to sign up first, then add them.");
        if (await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == user.Id))
            throw ProblemException.Conflict($"{email} is already a member of this project; change their role instead.");
        var member = new ProjectMember { ProjectId = projectId, UserId = user.Id, Role = role, AddedAt = DateTimeOffset.UtcNow, User = user };
        db.ProjectMembers.Add(member);
        await db.SaveChangesAsync();
        return member;
    }

    public async Task ChangeRoleAsync(long projectId, string userId, ProjectRole role)
    {
        await EnsureWritableAsync(projectId);
        var member = await FindMemberAsync(projectId, userId);
        if (member.Role == ProjectRole.Manager && role != ProjectRole.Manager) await EnsureAnotherManagerAsync(projectId, userId);
        member.Role = role;
        await db.SaveChangesAsync();
        await LiveAccess.AnnounceAsync(db, projectId, userId);
    }

    public async Task RemoveMemberAsync(long projectId, string userId)
    {
        await EnsureWritableAsync(projectId);
        var member = await FindMemberAsync(projectId, userId);
        if (member.Role == ProjectRole.Manager) await EnsureAnotherManagerAsync(projectId, userId);
        db.ProjectMembers.Remove(member);
        await db.SaveChangesAsync();
        await LiveAccess.AnnounceAsync(db, projectId, userId);
    }

    /// <summary>
    /// Archives the project: hidden from the project list, read-only (every write refuses, see ChangeLog), readable and
    /// exportable. Open pages are told their access changed and reload into the read-only state.
    /// </summary>
    public async Task ArchiveAsync(Project project)
    {
        if (project.IsArchived) throw ProblemException.Conflict($"Project {project.Id} is already archived.");
        await log.SetArchivedAsync(project.Id, Clock.Now);
        await LiveAccess.AnnounceAsync(db, project.Id, null);
    }

    public async Task UnarchiveAsync(Project project)
    {
        if (!project.IsArchived) throw ProblemException.Conflict($"Project {project.Id} is not archived.");
        await log.SetArchivedAsync(project.Id, null);
        await LiveAccess.AnnounceAsync(db, project.Id, null);
    }

    private async Task EnsureWritableAsync(long projectId)
    {
        if (await db.Projects.AnyAsync(p => p.Id == projectId && p.ArchivedAt != null)) throw ProjectAccess.Archived(projectId);
    }

    private async Task<ProjectMember> FindMemberAsync(long projectId, string userId) =>
        await db.ProjectMembers.FirstOrDefaultAsync(m => m.ProjectId == projectId && m.UserId == userId)
        ?? throw ProblemException.NotFound("That person is not a member of this project.");

    private async Task EnsureAnotherManagerAsync(long projectId, string userId)
    {
        if (!await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.Role == ProjectRole.Manager && m.UserId != userId))
            throw ProblemException.Conflict("A project keeps at least one manager: make someone else manager first.");
    }

    public async Task<LabelDefinition> SaveLabelAsync(long projectId, long? labelId, LabelKind kind, string? name, string? colour, string? key)
    {
        await EnsureWritableAsync(projectId);
        name = name?.Trim().ToUpperInvariant() ?? "";
        if (!LabelDefinition.IsValidName(name)) throw ProblemException.BadRequest(LabelDefinition.NameRule);
        colour = colour?.Trim() ?? "";
        if (!Colour().IsMatch(colour)) throw ProblemException.BadRequest("A colour is written #rrggbb, e.g. #e6194b.");
        key = string.IsNullOrWhiteSpace(key) ? null : key.Trim().ToLowerInvariant();
        if (key is not null && (key.Length != 1 || !char.IsLetterOrDigit(key[0])))
            throw ProblemException.BadRequest("A label's key is one letter or digit.");
        if (kind == LabelKind.Relation) key = null;

        var label = labelId is null
            ? new LabelDefinition { ProjectId = projectId, Kind = kind, SortOrder = await NextSortOrderAsync(projectId) }
            : await db.LabelDefinitions.FirstOrDefaultAsync(l => l.Id == labelId && l.ProjectId == projectId)
              ?? throw ProblemException.NotFound("That label does not exist in this project.");
        if (labelId is not null && label.Name != name && await db.Annotations.AnyAsync(a => a.ProjectId == projectId && a.Label == label.Name)
            || labelId is not null && label.Name != name && await db.Relations.AnyAsync(r => r.ProjectId == projectId && r.Type == label.Name))
            throw ProblemException.Conflict($"{label.Name} is in use; renaming it would orphan its spans or links. Add a new label and relabel them instead.");
        if (await db.LabelDefinitions.AnyAsync(l => l.ProjectId == projectId && l.Id != label.Id && l.Kind == label.Kind && l.Name == name))
            throw ProblemException.Conflict($"This project already has a {label.Kind.ToString().ToLowerInvariant()} label {name}.");
        if (key is not null && await db.LabelDefinitions.AnyAsync(l => l.ProjectId == projectId && l.Id != label.Id && l.Key == key))
            throw ProblemException.Conflict($"The key '{key}' already applies another label; pick another key.");
        label.Name = name;
        label.Colour = colour.ToLowerInvariant();
        label.Key = key;
        if (labelId is null) db.LabelDefinitions.Add(label);
        await db.SaveChangesAsync();
        return label;
    }

    public async Task DeleteLabelAsync(long projectId, long labelId)
    {
        await EnsureWritableAsync(projectId);
        var label = await db.LabelDefinitions.FirstOrDefaultAsync(l => l.Id == labelId && l.ProjectId == projectId)
            ?? throw ProblemException.NotFound("That label does not exist in this project.");
        // Spans and links keep their label's name: deleting a label in use would leave them unlabelled in the editor.
        var uses = label.Kind == LabelKind.Relation
            ? await db.Relations.CountAsync(r => r.ProjectId == projectId && r.Type == label.Name)
            : await db.Annotations.CountAsync(a => a.ProjectId == projectId && a.Label == label.Name);
        if (uses > 0)
            throw ProblemException.Conflict($"{label.Name} is used by {uses} {(label.Kind == LabelKind.Relation ? "link(s)" : "span(s)")}; relabel or delete them first.");
        db.LabelDefinitions.Remove(label);
        await db.SaveChangesAsync();
    }

    private async Task<int> NextSortOrderAsync(long projectId) =>
        (await db.LabelDefinitions.Where(l => l.ProjectId == projectId).MaxAsync(l => (int?)l.SortOrder) ?? 0) + 1;

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex Colour();
}
