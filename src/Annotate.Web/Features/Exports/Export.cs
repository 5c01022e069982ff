using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Jobs;
using Annotate.Web.Features.Annotations;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Exports;

/// <summary>
/// One dataset export. The Hangfire job that writes it takes only its id, keeps status and progress here, writes to a
/// temporary file and renames it when complete: a file named <see cref="FileName"/> is always whole.
/// </summary>
public class Export : BackgroundWork
{
    public string Format { get; set; } = "";
    /// <summary>Whose spans: every annotator's (each naming its annotator), one annotator's, or the curated layer.</summary>
    public ExportScope Scope { get; set; } = ExportScope.All;
    public bool FinishedOnly { get; set; }
    public OffsetUnit Offsets { get; set; }
    public bool Gzip { get; set; }
    /// <summary>What the format could not hold (e.g. CoNLL's overlapping entities), counted; null when it held everything.</summary>
    public string? Notes { get; set; }
    /// <summary>The finished file's name inside the exports folder (null until it exists).</summary>
    public string? FileName { get; set; }
    public long? Size { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

public class ExportConfiguration : IEntityTypeConfiguration<Export>
{
    public void Configure(EntityTypeBuilder<Export> export)
    {
        export.Property(e => e.Format).HasMaxLength(32);
        export.Property(e => e.Scope).HasConversion(scope => scope.ToString(), stored => ExportScope.Parse(stored)).HasMaxLength(100);
        export.Property(e => e.Offsets).HasConversion(new SnakeCaseEnumConverter<OffsetUnit>()).HasMaxLength(16);
        export.Property(e => e.Status).HasConversion(new SnakeCaseEnumConverter<JobStatus>()).HasMaxLength(16);
        export.Property(e => e.Error).HasMaxLength(Limits.JobError.Max);
        export.Property(e => e.Notes).HasMaxLength(2000);
        export.Property(e => e.FileName).HasMaxLength(Limits.FileName.Max);
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
