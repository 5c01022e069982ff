using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Documents;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Curation;

/// <summary>
/// Where a document's curation stands. NotStarted and Reopened leave the annotators' work editable; InProgress and
/// Curated make it read-only, so the units being decided stay the units they were.
/// </summary>
public enum CurationState { NotStarted, InProgress, Curated, Reopened }

public class DocumentCuration
{
    public long DocumentId { get; set; }
    public long ProjectId { get; set; }
    public CurationState State { get; set; }
    public string? UpdatedById { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public static bool Locks(CurationState state) => state is CurationState.InProgress or CurationState.Curated;
}

/// <summary>
/// One reviewer's decision on one or more units (accept-agreed and a link with its ends decide several at once). The
/// decisions, in order, are the curation's history: undo marks one undone and removes what it made, redo makes it again
/// as a new decision. Its change-log entry (curation_decided, curation_undone) carries the same view.
/// </summary>
public class CurationDecision
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    /// <summary>The document reviewed when it was made.</summary>
    public long DocumentId { get; set; }
    /// <summary>Every document it touched (a link's other end may be in another article).</summary>
    public List<long> Documents { get; set; } = [];
    public string ReviewerId { get; set; } = "";
    public DateTimeOffset DecidedAt { get; set; }
    /// <summary>accept, edit, add, reject or accept-agreed.</summary>
    public string Action { get; set; } = "";
    public List<string> Units { get; set; } = [];
    public string? Reason { get; set; }
    public string? Note { get; set; }
    /// <summary>JSON array of the annotators' versions chosen ({unit, annotatorId, spanId | linkId}).</summary>
    public string Chosen { get; set; } = "[]";
    /// <summary>JSON array of the versions rejected.</summary>
    public string Rejected { get; set; } = "[]";
    /// <summary>JSON: the curated spans and links the decision resulted in.</summary>
    public string Result { get; set; } = "{}";
    /// <summary>The request, kept so a redo makes the same decision again.</summary>
    public string Request { get; set; } = "{}";
    /// <summary>Curated spans and links this decision created (an undo deletes them).</summary>
    public List<Guid> CreatedSpans { get; set; } = [];
    public List<Guid> CreatedRelations { get; set; } = [];
    public DateTimeOffset? UndoneAt { get; set; }
    public string? UndoneById { get; set; }
    public long? RedoOf { get; set; }

    public AppUser? Reviewer { get; set; }
}

public class DocumentCurationConfiguration : IEntityTypeConfiguration<DocumentCuration>
{
    public void Configure(EntityTypeBuilder<DocumentCuration> curation)
    {
        curation.HasKey(c => c.DocumentId);
        curation.Property(c => c.State).HasConversion(new SnakeCaseEnumConverter<CurationState>()).HasMaxLength(16);
        curation.HasIndex(c => c.ProjectId);
        curation.HasIndex(c => c.UpdatedById);
        curation.HasOne<Document>().WithOne().HasForeignKey<DocumentCuration>(c => c.DocumentId).OnDelete(DeleteBehavior.Cascade);
        curation.HasOne<Projects.Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
        curation.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UpdatedById).OnDelete(DeleteBehavior.SetNull);
        curation.ToTable(t => t.HasCheckConstraint("ck_document_curations_state", "state IN ('not_started', 'in_progress', 'curated', 'reopened')"));
    }
}

public class CurationDecisionConfiguration : IEntityTypeConfiguration<CurationDecision>
{
    public void Configure(EntityTypeBuilder<CurationDecision> decision)
    {
        decision.Property(d => d.Action).HasMaxLength(16);
        decision.Property(d => d.Reason).HasMaxLength(Limits.Reason.Max);
        decision.Property(d => d.Note).HasMaxLength(Limits.Note.Max);
        decision.Property(d => d.Chosen).HasColumnType("jsonb");
        decision.Property(d => d.Rejected).HasColumnType("jsonb");
        decision.Property(d => d.Result).HasColumnType("jsonb");
        decision.Property(d => d.Request).HasColumnType("jsonb");
        decision.HasIndex(d => d.ProjectId);
        decision.HasIndex(d => d.DocumentId);
        // "Which decisions touch this document" is the review page's first question.
        decision.HasIndex(d => d.Documents).HasMethod("gin");
        decision.HasIndex(d => d.ReviewerId);
        decision.HasIndex(d => d.UndoneById);
        decision.HasOne<Projects.Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
        decision.HasOne<Document>().WithMany().HasForeignKey(d => d.DocumentId).OnDelete(DeleteBehavior.Cascade);
        decision.HasOne(d => d.Reviewer).WithMany().HasForeignKey(d => d.ReviewerId).OnDelete(DeleteBehavior.Cascade);
        decision.HasOne<AppUser>().WithMany().HasForeignKey(d => d.UndoneById).OnDelete(DeleteBehavior.SetNull);
        decision.ToTable(t =>
        {
            t.HasCheckConstraint("ck_curation_decisions_action", "action IN ('accept', 'edit', 'add', 'reject', 'accept-agreed')");
            t.HasCheckConstraint("ck_curation_decisions_reason", "reason IS NULL OR reason IN ('guideline_gap', 'annotator_slip', 'ambiguous_text', 'other')");
        });
    }
}
