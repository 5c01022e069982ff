using Annotate.Web.Data;
using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Jobs;
using Annotate.Web.Features.Annotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// One dataset export. The Hangfire job that writes it takes only its id, keeps status and progress here, writes to a
/// temporary file and renames it when complete: a file named <see cref="FileName"/> is always whole.
/// </summary>
public class Export : IBackgroundWork, IHasError
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public string Format { get; set; } = "";
    /// <summary>Whose spans: every annotator's (each naming its annotator), one annotator's, or the curated layer.</summary>
    public ExportScope Scope { get; set; } = ExportScope.All;
    public bool FinishedOnly { get; set; }
    public OffsetUnit Offsets { get; set; }
    public bool Gzip { get; set; }
    public JobStatus Status { get; set; }
    public int Done { get; set; }
    public int Total { get; set; }
    /// <summary>Why the last attempt failed (kept while a retry is pending, so the Jobs page can say it).</summary>
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public string? JobId { get; set; }
    /// <summary>What the format could not hold (e.g. CoNLL's overlapping entities), counted; null when it held everything.</summary>
    public string? Notes { get; set; }
    /// <summary>The finished file's name inside the exports folder (null until it exists).</summary>
    public string? FileName { get; set; }
    public long? Size { get; set; }
    public string? RequestedById { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    public Projects.Project? Project { get; set; }
    public AppUser? RequestedBy { get; set; }
}

public class ExportConfiguration : IEntityTypeConfiguration<Export>
{
    public void Configure(EntityTypeBuilder<Export> export)
    {
        export.Property(e => e.Format).HasMaxLength(32);
        export.Property(e => e.Scope).HasConversion(scope => scope.ToString(), stored => ExportScope.Parse(stored)).HasMaxLength(100);
        export.Property(e => e.Offsets).HasConversion(new SnakeCaseEnumConverter<OffsetUnit>()).HasMaxLength(16);
        export.Property(e => e.Status).HasConversion(new SnakeCaseEnumConverter<JobStatus>()).HasMaxLength(16);
        export.Property(e => e.Error).HasMaxLength(4000);
        export.Property(e => e.Notes).HasMaxLength(2000);
        export.Property(e => e.FileName).HasMaxLength(200);
        export.Property(e => e.JobId).HasMaxLength(64);
        export.HasIndex(e => new { e.ProjectId, e.CreatedAt });
        export.HasIndex(e => e.RequestedById);
        export.HasIndex(e => e.ExpiresAt);
        export.HasOne(e => e.Project).WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
        export.HasOne(e => e.RequestedBy).WithMany().HasForeignKey(e => e.RequestedById).OnDelete(DeleteBehavior.SetNull);
        export.ToTable(t =>
        {
            t.HasCheckConstraint("ck_exports_status", "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')");
            t.HasCheckConstraint("ck_exports_progress", "done >= 0 AND total >= 0 AND done <= total");
            t.HasCheckConstraint("ck_exports_attempts", "attempts >= 0");
        });
    }
}
