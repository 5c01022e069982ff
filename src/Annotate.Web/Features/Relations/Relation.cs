using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Annotations;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Relations;

/// <summary>
/// A typed link from one claim to another (CONTRADICTS, SUPPORTS or another relation label of the project).
/// The two claims may be in two documents of the same project.
/// </summary>
public class Relation
{
    public Guid Id { get; set; }
    public long ProjectId { get; set; }
    public string Type { get; set; } = "";
    public Guid FromId { get; set; }
    public Guid ToId { get; set; }
    public string? Note { get; set; }
    public string AnnotatorId { get; set; } = "";
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Annotation? From { get; set; }
    public Annotation? To { get; set; }
    public AppUser? Annotator { get; set; }
}

public class RelationConfiguration : IEntityTypeConfiguration<Relation>
{
    public void Configure(EntityTypeBuilder<Relation> relation)
    {
        relation.Property(r => r.Id).ValueGeneratedNever();
        relation.Property(r => r.Type).HasMaxLength(Limits.LabelName.Max);
        relation.Property(r => r.Note).HasMaxLength(Limits.Note.Max);
        relation.HasIndex(r => r.ProjectId);
        relation.HasIndex(r => r.FromId);
        relation.HasIndex(r => r.ToId);
        relation.HasIndex(r => r.AnnotatorId);
        relation.HasOne<Projects.Project>().WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        relation.HasOne(r => r.From).WithMany().HasForeignKey(r => r.FromId).OnDelete(DeleteBehavior.Cascade);
        relation.HasOne(r => r.To).WithMany().HasForeignKey(r => r.ToId).OnDelete(DeleteBehavior.Cascade);
        relation.HasOne(r => r.Annotator).WithMany().HasForeignKey(r => r.AnnotatorId).OnDelete(DeleteBehavior.Cascade);
        relation.ToTable(t =>
        {
            t.HasCheckConstraint("ck_relations_distinct_ends", "from_id <> to_id");
            t.HasCheckConstraint("ck_relations_version", "version >= 1");
        });
    }
}
