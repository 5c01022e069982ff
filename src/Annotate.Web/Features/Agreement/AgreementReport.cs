using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Jobs;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Annotate.Web.Features.Agreement;

/// <summary>Which documents a report covers: those finished by two or more annotators, or every document.</summary>
public enum AgreementScope { Finished, All }

/// <summary>Why a report was made.</summary>
public enum JobReason { Manual, Nightly, Finished, Retry }

/// <summary>
/// One agreement computation of a project. The Hangfire job that fills it takes only its id, keeps its status and
/// progress here, and overwrites <see cref="Result"/> as a whole when it succeeds, so a re-run after a crash is safe.
/// </summary>
public class AgreementReport : BackgroundWork
{
    public AgreementScope Scope { get; set; }
    public JobReason Reason { get; set; }
    /// <summary>The report as JSON (an <see cref="AgreementResult"/>), null until it succeeds.</summary>
    public string? Result { get; set; }
}

public class AgreementReportConfiguration : IEntityTypeConfiguration<AgreementReport>
{
    public void Configure(EntityTypeBuilder<AgreementReport> report)
    {
        report.Property(r => r.Scope).HasConversion(new SnakeCaseEnumConverter<AgreementScope>()).HasMaxLength(16);
        report.Property(r => r.Reason).HasConversion(new SnakeCaseEnumConverter<JobReason>()).HasMaxLength(16);
        report.Property(r => r.Status).HasConversion(new SnakeCaseEnumConverter<JobStatus>()).HasMaxLength(16);
        report.Property(r => r.Error).HasMaxLength(Limits.JobError.Max);
        report.Property(r => r.Result).HasColumnType("jsonb");
        report.Property(r => r.JobId).HasMaxLength(64);
        report.HasIndex(r => new { r.ProjectId, r.CreatedAt });
        report.HasIndex(r => r.RequestedById);
        report.HasOne(r => r.Project).WithMany().HasForeignKey(r => r.ProjectId).OnDelete(DeleteBehavior.Cascade);
        report.HasOne(r => r.RequestedBy).WithMany().HasForeignKey(r => r.RequestedById).OnDelete(DeleteBehavior.SetNull);
        report.ToTable(t =>
        {
            t.HasCheckConstraint("ck_agreement_reports_status", "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')");
            t.HasCheckConstraint("ck_agreement_reports_progress", "done >= 0 AND total >= 0 AND done <= total");
            t.HasCheckConstraint("ck_agreement_reports_attempts", "attempts >= 0");
        });
    }
}
