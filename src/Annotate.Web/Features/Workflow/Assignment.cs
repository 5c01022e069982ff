using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Documents;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Workflow;

/// <summary>Annotate: the person annotates the document. Curate: a reviewer curates it.</summary>
public enum AssignmentKind { Annotate, Curate }

/// <summary>
/// One person's assignment to one document. In assigned and dynamic projects an annotator opens only the documents
/// they have an annotate assignment for (ProjectAccess). Every change is written with a change-log entry.
/// </summary>
public class Assignment
{
    public long ProjectId { get; set; }
    public long DocumentId { get; set; }
    public string UserId { get; set; } = "";
    public AssignmentKind Kind { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    /// <summary>Who assigned it: a manager, or the annotator themself when Next document handed it to them (null once their account is gone).</summary>
    public string? AssignedById { get; set; }

    public Document? Document { get; set; }
    public AppUser? User { get; set; }
}

public class AssignmentConfiguration : IEntityTypeConfiguration<Assignment>
{
    public void Configure(EntityTypeBuilder<Assignment> assignment)
    {
        // One row per person, document and kind: the same document cannot be handed to the same person twice.
        assignment.HasKey(a => new { a.DocumentId, a.UserId, a.Kind });
        assignment.Property(a => a.Kind).HasConversion(new SnakeCaseEnumConverter<AssignmentKind>()).HasMaxLength(16);
        assignment.HasIndex(a => new { a.ProjectId, a.UserId });
        // The progress table sorted by assigned or reviewers counts every document's assignments of one kind: read
        // from this index alone, in document order, instead of every assignment row of the project.
        assignment.HasIndex(a => new { a.ProjectId, a.Kind, a.DocumentId });
        assignment.HasIndex(a => a.UserId);
        assignment.HasIndex(a => a.AssignedById);
        assignment.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
        assignment.HasOne(a => a.Document).WithMany().HasForeignKey(a => a.DocumentId).OnDelete(DeleteBehavior.Cascade);
        assignment.HasOne(a => a.User).WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        assignment.HasOne<AppUser>().WithMany().HasForeignKey(a => a.AssignedById).OnDelete(DeleteBehavior.SetNull);
        assignment.ToTable(t => t.HasCheckConstraint("ck_assignments_kind", "kind IN ('annotate', 'curate')"));
    }
}
