using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Documents;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Annotations;

/// <summary>Entities name things; claims are checkable statements that relations can link.</summary>
public enum AnnotationLayer { Entity, Claim }

public enum AnnotationOrigin { Manual, Imported, Curated }

/// <summary>
/// One span of one annotator. Offsets count Unicode code points: [Start, End) of the document's text, and
/// <see cref="Text"/> is that slice, kept so exports and consumers can check the offsets.
/// </summary>
public class Annotation
{
    /// <summary>Made by the client, so a retried create is recognised instead of duplicated.</summary>
    public Guid Id { get; set; }
    public long ProjectId { get; set; }
    public long DocumentId { get; set; }
    public string AnnotatorId { get; set; } = "";
    public AnnotationLayer Layer { get; set; }
    public string Label { get; set; } = "";
    public int Start { get; set; }
    public int End { get; set; }
    public string Text { get; set; } = "";
    /// <summary>JSON object, e.g. a claim's {"attributedTo": "the Coast Guard"}.</summary>
    public string Attributes { get; set; } = "{}";
    public string? Note { get; set; }
    /// <summary>Starts at 1; every update adds one. An update based on an older version is refused.</summary>
    public int Version { get; set; }
    public AnnotationOrigin Origin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Document? Document { get; set; }
    public AppUser? Annotator { get; set; }
}

public class AnnotationConfiguration : IEntityTypeConfiguration<Annotation>
{
    public void Configure(EntityTypeBuilder<Annotation> annotation)
    {
        annotation.Property(a => a.Id).ValueGeneratedNever();
        annotation.Property(a => a.Layer).HasConversion(new SnakeCaseEnumConverter<AnnotationLayer>()).HasMaxLength(16);
        annotation.Property(a => a.Origin).HasConversion(new SnakeCaseEnumConverter<AnnotationOrigin>()).HasMaxLength(16);
        annotation.Property(a => a.Label).HasMaxLength(Limits.LabelName.Max);
        annotation.Property(a => a.Attributes).HasColumnType("jsonb");
        annotation.Property(a => a.Note).HasMaxLength(Limits.Note.Max);
        annotation.HasIndex(a => new { a.DocumentId, a.Start });
        // A review reads a document's curated spans apart from its annotators' (and counts those): without this it
        // filtered all of a long document's rows (27,500 in the review bench) by origin on every decision.
        annotation.HasIndex(a => new { a.DocumentId, a.Origin });
        annotation.HasIndex(a => new { a.ProjectId, a.Layer });
        annotation.HasIndex(a => a.AnnotatorId);
        annotation.HasOne(a => a.Document).WithMany().HasForeignKey(a => a.DocumentId).OnDelete(DeleteBehavior.Cascade);
        annotation.HasOne<Projects.Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
        annotation.HasOne(a => a.Annotator).WithMany().HasForeignKey(a => a.AnnotatorId).OnDelete(DeleteBehavior.Cascade);
        annotation.ToTable(t =>
        {
            // The end <= document length rule needs the document row: a trigger checks it (see the migration).
            t.HasCheckConstraint("ck_annotations_offsets", "start >= 0 AND start < \"end\"");
            t.HasCheckConstraint("ck_annotations_text", "char_length(text) = \"end\" - start");
            t.HasCheckConstraint("ck_annotations_layer", "layer IN ('entity', 'claim')");
            t.HasCheckConstraint("ck_annotations_origin", "origin IN ('manual', 'imported', 'curated')");
            t.HasCheckConstraint("ck_annotations_attributes_object", "jsonb_typeof(attributes) = 'object'");
            t.HasCheckConstraint("ck_annotations_version", "version >= 1");
        });
    }
}
