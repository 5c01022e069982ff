using System.Globalization;
using System.Text;
using Annotate.Web.Data;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.Projects;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Features.Workflow;

/// <param name="NotStarted">assigned documents the person has not begun (no state, or new)</param>
/// <param name="InProgress">documents in progress for them, assigned or not</param>
/// <param name="LastActive">their newest span change or state change in the project</param>
public record AnnotatorProgress(string UserId, string Name, string Email, int Assigned, int NotStarted, int InProgress, int Finished, int Spans, DateTimeOffset? LastActive);

/// <param name="Required">the project's annotators per document</param>
/// <param name="Reviewers">reviewers assigned to curate it</param>
public record DocumentProgress(long DocumentId, string Title, int Assigned, int Started, int Finished, int Required, int Reviewers, int CuratedSpans);

public record ProgressReport(long ProjectId, AssignmentMode Assignment, int AnnotatorsPerDocument, IReadOnlyList<AnnotatorProgress> Annotators, IReadOnlyList<DocumentProgress> Documents);

/// <summary>The Progress tab's figures: per annotator and per document, from assignments, states and spans.</summary>
public class Progress(AppDbContext db)
{
    public async Task<ProgressReport> ReportAsync(Project project)
    {
        var projectId = project.Id;
        var assignments = await db.Assignments.AsNoTracking().Where(a => a.ProjectId == projectId)
            .Select(a => new { a.DocumentId, a.UserId, a.Kind }).ToListAsync();
        var states = await db.DocumentStates.AsNoTracking().Where(s => s.Document!.ProjectId == projectId)
            .Select(s => new { s.DocumentId, s.UserId, s.Status, s.UpdatedAt }).ToListAsync();
        var spans = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId)
            .GroupBy(a => new { a.AnnotatorId, a.Origin })
            .Select(g => new { g.Key.AnnotatorId, g.Key.Origin, Count = g.Count(), Last = g.Max(a => a.UpdatedAt) }).ToListAsync();
        var curated = await db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.Origin == Annotations.AnnotationOrigin.Curated)
            .GroupBy(a => a.DocumentId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        var members = await db.ProjectMembers.AsNoTracking().Where(m => m.ProjectId == projectId)
            .Select(m => new { m.UserId, m.User!.DisplayName, m.User.Email, m.Role }).ToListAsync();
        var documents = await db.Documents.AsNoTracking().Where(d => d.ProjectId == projectId).OrderBy(d => d.Id)
            .Select(d => new { d.Id, d.Title }).ToListAsync();

        var annotate = assignments.Where(a => a.Kind == AssignmentKind.Annotate).ToList();
        var stateOf = states.ToDictionary(s => (s.DocumentId, s.UserId));
        // Annotators, and anyone else given documents to annotate or with work of their own.
        var people = members.Where(m => m.Role == ProjectRole.Annotator || annotate.Any(a => a.UserId == m.UserId) || states.Any(s => s.UserId == m.UserId))
            .OrderBy(m => m.Email).ToList();
        var annotators = people.Select(m =>
        {
            var mine = annotate.Where(a => a.UserId == m.UserId).ToList();
            var notStarted = mine.Count(a => !stateOf.TryGetValue((a.DocumentId, m.UserId), out var s) || s.Status == DocumentStatus.New);
            var own = states.Where(s => s.UserId == m.UserId).ToList();
            var manual = spans.Where(s => s.AnnotatorId == m.UserId && s.Origin != Annotations.AnnotationOrigin.Curated).ToList();
            var last = own.Select(s => (DateTimeOffset?)s.UpdatedAt).Concat(manual.Select(s => (DateTimeOffset?)s.Last)).Max();
            return new AnnotatorProgress(m.UserId, m.DisplayName, m.Email ?? "", mine.Count, notStarted,
                own.Count(s => s.Status == DocumentStatus.InProgress), own.Count(s => s.Status == DocumentStatus.Finished), manual.Sum(s => s.Count), last);
        }).ToList();
        var byDocument = documents.Select(d => new DocumentProgress(d.Id, d.Title,
            annotate.Count(a => a.DocumentId == d.Id),
            states.Count(s => s.DocumentId == d.Id && s.Status != DocumentStatus.New),
            states.Count(s => s.DocumentId == d.Id && s.Status == DocumentStatus.Finished),
            project.AnnotatorsPerDocument,
            assignments.Count(a => a.DocumentId == d.Id && a.Kind == AssignmentKind.Curate),
            curated.TryGetValue(d.Id, out var c) ? c : 0)).ToList();
        return new ProgressReport(projectId, project.Assignment, project.AnnotatorsPerDocument, annotators, byDocument);
    }

    public const string AnnotatorsCsvHeader = "user_id,name,email,assigned,not_started,in_progress,finished,spans,last_active";
    public const string DocumentsCsvHeader = "document_id,title,assigned,started,finished,required,reviewers,curated_spans";

    public static string AnnotatorsCsv(ProgressReport report)
    {
        var csv = new StringBuilder(AnnotatorsCsvHeader).Append('\n');
        foreach (var a in report.Annotators)
            csv.AppendJoin(',', Field(a.UserId), Field(a.Name), Field(a.Email), a.Assigned, a.NotStarted, a.InProgress, a.Finished, a.Spans,
                a.LastActive?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "").Append('\n');
        return csv.ToString();
    }

    public static string DocumentsCsv(ProgressReport report)
    {
        var csv = new StringBuilder(DocumentsCsvHeader).Append('\n');
        foreach (var d in report.Documents)
            csv.AppendJoin(',', d.DocumentId, Field(d.Title), d.Assigned, d.Started, d.Finished, d.Required, d.Reviewers, d.CuratedSpans).Append('\n');
        return csv.ToString();
    }

    private static string Field(string value) => Agreement.AgreementReportsApiController.Field(value);
}
