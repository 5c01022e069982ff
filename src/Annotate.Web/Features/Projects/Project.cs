using Annotate.Web.Features.Accounts;
using Annotate.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Projects;

public enum Visibility { Open, Blind }

public enum ProjectRole { Annotator, Reviewer, Manager }

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
        project.Property(p => p.Name).HasMaxLength(200);
        project.Property(p => p.Description).HasMaxLength(4000);
        project.Property(p => p.Guidelines).HasMaxLength(200_000);
        project.Property(p => p.Visibility).HasConversion(new SnakeCaseEnumConverter<Visibility>()).HasMaxLength(16);
        project.Ignore(p => p.IsArchived);
        project.ToTable(t => t.HasCheckConstraint("ck_projects_visibility", "visibility IN ('open', 'blind')"));
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
