using Annotate.Web.Features.Accounts;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Projects;

public enum Visibility { Open, Blind }

public enum ProjectRole { Annotator, Reviewer, Manager }

/// <summary>
/// Who may open which document. Free: every annotator every document. Assigned: annotators only the documents a
/// manager assigned to them. Dynamic: annotators are handed documents one at a time (Next document).
/// </summary>
public enum AssignmentMode { Free, Assigned, Dynamic }

public class Project
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Markdown, rendered with raw HTML disabled.</summary>
    public string Guidelines { get; set; } = "";
    /// <summary>Open: annotators see each other's work live. Blind: each annotator sees only their own.</summary>
    public Visibility Visibility { get; set; } = Visibility.Open;
    /// <summary>Whether a selection in the editor snaps outward to whole words.</summary>
    public bool SnapToWords { get; set; } = true;
    public AssignmentMode Assignment { get; set; } = AssignmentMode.Free;
    /// <summary>How many annotators each document needs (dynamic mode hands a document to at most this many; spread assigns this many).</summary>
    public int AnnotatorsPerDocument { get; set; } = ProjectSettings.DefaultAnnotatorsPerDocument;
    /// <summary>Dynamic mode: a document its assignee has not touched for this long is released to someone else.</summary>
    public int ReleaseAfterMinutes { get; set; } = ProjectSettings.DefaultReleaseAfterMinutes;
    /// <summary>A finished document is read-only for its annotator until they (or a manager) reopen it.</summary>
    public bool FinishedLocks { get; set; }
    /// <summary>Reviewers see annotators as "Annotator 1, 2, ..." instead of by name while curating.</summary>
    public bool AnonymousCuration { get; set; }
    /// <summary>BCP-47 tag; the default language of the project's articles (an article's own meta.lang wins).</summary>
    public string Language { get; set; } = ProjectSettings.DefaultLanguage;
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When a manager archived the project: hidden from the project list and read-only until unarchived.</summary>
    public DateTimeOffset? ArchivedAt { get; set; }

    public bool IsArchived => ArchivedAt is not null;

    public List<ProjectMember> Members { get; set; } = [];
    public List<LabelDefinition> Labels { get; set; } = [];
}

public class ProjectMember
{
    public long ProjectId { get; set; }
    public string UserId { get; set; } = "";
    public ProjectRole Role { get; set; }
    public DateTimeOffset AddedAt { get; set; }

    public Project? Project { get; set; }
    public AppUser? User { get; set; }
}

public class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> project)
    {
        project.Property(p => p.Name).HasMaxLength(Limits.ProjectName.Max);
        project.Property(p => p.Description).HasMaxLength(Limits.ProjectDescription.Max);
        project.Property(p => p.Guidelines).HasMaxLength(Limits.Guidelines.Max);
        project.Property(p => p.Visibility).HasConversion(new SnakeCaseEnumConverter<Visibility>()).HasMaxLength(16);
        project.Ignore(p => p.IsArchived);
        project.Property(p => p.Assignment).HasConversion(new SnakeCaseEnumConverter<AssignmentMode>()).HasMaxLength(16).HasDefaultValue(AssignmentMode.Free);
        project.Property(p => p.AnnotatorsPerDocument).HasDefaultValue(ProjectSettings.DefaultAnnotatorsPerDocument);
        project.Property(p => p.ReleaseAfterMinutes).HasDefaultValue(ProjectSettings.DefaultReleaseAfterMinutes);
        project.Property(p => p.FinishedLocks).HasDefaultValue(false);
        project.Property(p => p.AnonymousCuration).HasDefaultValue(false);
        project.Property(p => p.Language).HasMaxLength(ProjectSettings.MaxLanguageLength).HasDefaultValue(ProjectSettings.DefaultLanguage);
        project.ToTable(t =>
        {
            t.HasCheckConstraint("ck_projects_visibility", "visibility IN ('open', 'blind')");
            t.HasCheckConstraint("ck_projects_assignment", "assignment IN ('free', 'assigned', 'dynamic')");
            t.HasCheckConstraint("ck_projects_annotators_per_document",
                $"annotators_per_document BETWEEN 1 AND {ProjectSettings.MaxAnnotatorsPerDocument}");
            t.HasCheckConstraint("ck_projects_release_after_minutes", "release_after_minutes >= 1");
        });
    }
}

public class ProjectMemberConfiguration : IEntityTypeConfiguration<ProjectMember>
{
    public void Configure(EntityTypeBuilder<ProjectMember> member)
    {
        member.HasKey(m => new { m.ProjectId, m.UserId });
        member.Property(m => m.Role).HasConversion(new SnakeCaseEnumConverter<ProjectRole>()).HasMaxLength(16);
        member.HasIndex(m => m.UserId);
        member.HasOne(m => m.Project).WithMany(p => p.Members).HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Cascade);
        member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        member.ToTable(t => t.HasCheckConstraint("ck_project_members_role", "role IN ('annotator', 'reviewer', 'manager')"));
    }
}
