using System.Globalization;
using System.Text;
using Annotate.Web.Features.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Features.Agreement;

public record NewAgreementReport(AgreementScope? Scope);

/// <summary>A report: when, over what and how far; <c>result</c> once it succeeded.</summary>
public record AgreementReportView(long Id, long ProjectId, JobStatus Status, AgreementScope Scope, JobReason Reason, int Done, int Total,
    int Attempts, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? RequestedBy, AgreementResult? Result)
{
    public static AgreementReportView Of(AgreementReport r, bool withResult) => new(r.Id, r.ProjectId, r.Status, r.Scope, r.Reason, r.Done, r.Total,
        r.Attempts, r.Error, r.CreatedAt, r.StartedAt, r.FinishedAt, r.RequestedBy?.Email,
        withResult && r.Result is not null ? AgreementResult.FromJson(r.Result) : null);
}

/// <summary>Project agreement reports: started by managers, read by managers and reviewers (they show everyone's work).</summary>
[Route("api")]
public class AgreementReportsApiController(AppDbContext db, ProjectAccess access, AgreementScheduler scheduler) : ApiController
{
    private static readonly ProjectRole[] Readers = [ProjectRole.Manager, ProjectRole.Reviewer];

    /// <summary>Starts a report (scope "finished": documents finished by two or more annotators, or "all"); answers 202 with its id.</summary>
    [HttpPost("projects/{projectId:long}/agreement")]
    [ProducesResponseType(typeof(AgreementReportView), StatusCodes.Status202Accepted)]
    public async Task<IActionResult> Start(long projectId, NewAgreementReport? request)
    {
        await access.RequireManagerAsync(User, projectId);
        var report = await scheduler.StartAsync(projectId, request?.Scope ?? AgreementScope.Finished, JobReason.Manual, ProjectAccess.UserId(User));
        return Accepted($"/api/agreement-reports/{report.Id}", AgreementReportView.Of(report, false));
    }

    /// <summary>The latest report that succeeded, with when and over what it was computed.</summary>
    [HttpGet("projects/{projectId:long}/agreement")]
    public async Task<AgreementReportView> Latest(long projectId)
    {
        await access.RequireAsync(User, projectId, Readers);
        var report = await db.AgreementReports.AsNoTracking().Include(r => r.RequestedBy)
            .Where(r => r.ProjectId == projectId && r.Status == JobStatus.Succeeded)
            .OrderByDescending(r => r.FinishedAt).FirstOrDefaultAsync()
            ?? throw ProblemException.NotFound("This project has no agreement report yet: POST /api/projects/{id}/agreement to compute one.");
        return AgreementReportView.Of(report, true);
    }

    [HttpGet("agreement-reports/{id:long}")]
    public async Task<AgreementReportView> Get(long id) => AgreementReportView.Of(await FindAsync(id, Readers), true);

    /// <summary>The report as CSV: one row per figure (section overall, label, pair or document; subject; measure; value).</summary>
    [HttpGet("agreement-reports/{id:long}/csv")]
    [Produces("text/csv")]
    public async Task<IActionResult> Csv(long id)
    {
        var report = await FindAsync(id, Readers);
        if (report.Result is null) throw ProblemException.Conflict($"Report {id} is {report.Status.ToString().ToLowerInvariant()}; it has no figures yet.");
        return File(Encoding.UTF8.GetBytes(ToCsv(AgreementResult.FromJson(report.Result))), "text/csv; charset=utf-8", $"agreement-{report.ProjectId}-{report.Id}.csv");
    }

    [HttpPost("agreement-reports/{id:long}/retry")]
    public async Task<IActionResult> Retry(long id)
    {
        await FindAsync(id, [ProjectRole.Manager]);
        var tracked = await db.AgreementReports.FirstAsync(r => r.Id == id);
        if (!await scheduler.RetryAsync(tracked))
            throw ProblemException.Conflict($"Report {id} is {tracked.Status.ToString().ToLowerInvariant()}; only a failed report is retried.");
        return Accepted($"/api/agreement-reports/{id}", AgreementReportView.Of(tracked, false));
    }

    private async Task<AgreementReport> FindAsync(long id, ProjectRole[] roles)
    {
        var report = await db.AgreementReports.AsNoTracking().Include(r => r.RequestedBy).FirstOrDefaultAsync(r => r.Id == id)
            ?? throw ProblemException.NotFound($"Agreement report {id} does not exist or you cannot see it.");
        if (await access.RoleAsync(User, report.ProjectId) is null) throw ProblemException.NotFound($"Agreement report {id} does not exist or you cannot see it.");
        await access.RequireAsync(User, report.ProjectId, roles);
        return report;
    }

    public static string ToCsv(AgreementResult result)
    {
        var csv = new StringBuilder("section,subject,measure,value\n");
        void Row(string section, string subject, string measure, double? value) =>
            csv.Append(Field(section)).Append(',').Append(Field(subject)).Append(',').Append(Field(measure)).Append(',')
               .Append(value?.ToString(CultureInfo.InvariantCulture)).Append('\n');
        void Rows(string section, string subject, IHasFigures figures)
        {
            foreach (var (measure, value) in figures.Figures()) Row(section, subject, measure, value);
        }
        Rows("overall", "all", result.Overall);
        foreach (var (label, figures) in result.PerLabel) Rows("label", label, figures);
        foreach (var pair in result.Pairs) Rows("pair", $"{pair.AName} / {pair.BName}", pair);
        foreach (var document in result.PerDocument)
        {
            var subject = $"{document.DocumentId} {document.Title}";
            // Every figure of the document (span F1 exact and overlap, token alpha, Fleiss, Cohen), then alpha-U per label.
            Rows("document", subject, document);
            foreach (var (label, alpha) in document.AlphaU ?? []) Row("document", subject, "alphaU " + label, alpha);
        }
        return csv.ToString();
    }

    /// <summary>CSV quoting; a leading =, +, - or @ is neutralised so spreadsheets do not run it as a formula.</summary>
    public static string Field(string? value)
    {
        value ??= "";
        if (value.Length > 0 && "=+-@".Contains(value[0])) value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
