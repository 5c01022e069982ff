using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.LiveSync;

public enum ChangeKind
{
    AnnotationCreated, AnnotationUpdated, AnnotationDeleted,
    RelationCreated, RelationUpdated, RelationDeleted,
    DocumentStateChanged,
    /// <summary>A person was given a document (by a manager, spread, or Next document); data: the assignment.</summary>
    AssignmentAdded,
    /// <summary>An assignment was taken away (by a manager) or released (abandoned past the project's timeout); data: the assignment and why.</summary>
    AssignmentRemoved,
    DocumentRenamed, DocumentDeleted,
    // Review (Features/Curation): a decision made or undone, a document's curation state set.
    CurationDecided, CurationUndone, CurationStateChanged,
}

/// <summary>
/// One entry of the append-only change log. <see cref="Sequence"/> is gapless per project and in commit order:
/// it comes from the project's counter row, locked by the writing transaction until it commits.
/// </summary>
public class ChangeEvent
{
    public long ProjectId { get; set; }
    public long Sequence { get; set; }
    public ChangeKind Kind { get; set; }
    /// <summary>The document the change belongs to (a relation's "from" document).</summary>
    public long? DocumentId { get; set; }
    /// <summary>A relation's "to" document when it differs, so both documents' viewers hear of it.</summary>
    public long? OtherDocumentId { get; set; }
    public Guid? SubjectId { get; set; }
    /// <summary>Whose work changed: in a blind project only they (and reviewers, managers) may see it.</summary>
    public string OwnerId { get; set; } = "";
    public string ActorId { get; set; } = "";
    /// <summary>
    /// The subject as the API shows it after the change (for a delete: its id and last version); <see cref="Redacted"/>
    /// once its document has been deleted.
    /// </summary>
    public string Data { get; set; } = "{}";

    /// <summary>
    /// What the data of a deleted document's entries becomes, in the transaction that deletes it. The append-only
    /// trigger allows this one update (to exactly this text, of an entry whose document is gone) and no other.
    /// </summary>
    public const string Redacted = "{\"redacted\":true}";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The per-project counter behind <see cref="ChangeEvent.Sequence"/>.</summary>
public class ProjectSequence
{
    public long ProjectId { get; set; }
    public long LastSequence { get; set; }
}

public class ChangeEventConfiguration : IEntityTypeConfiguration<ChangeEvent>
{
    public void Configure(EntityTypeBuilder<ChangeEvent> change)
    {
        change.HasKey(e => new { e.ProjectId, e.Sequence });
        change.Property(e => e.Kind).HasConversion(new Data.SnakeCaseEnumConverter<ChangeKind>()).HasMaxLength(32);
        // json, not jsonb: the log keeps each event's text as it was sent (jsonb would reorder its keys).
        change.Property(e => e.Data).HasColumnType("json");
        change.HasIndex(e => new { e.DocumentId, e.Sequence });
        change.HasIndex(e => new { e.OtherDocumentId, e.Sequence });
        change.HasOne<Projects.Project>().WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
        change.ToTable(t => t.HasCheckConstraint("ck_change_events_sequence", "sequence >= 1"));
    }
}

public class ProjectSequenceConfiguration : IEntityTypeConfiguration<ProjectSequence>
{
    public void Configure(EntityTypeBuilder<ProjectSequence> sequence)
    {
        sequence.HasKey(s => s.ProjectId);
        sequence.HasOne<Projects.Project>().WithOne().HasForeignKey<ProjectSequence>(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
