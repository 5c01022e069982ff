using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Agreement;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Microsoft.AspNetCore.Identity;

namespace Annotate.Web.Features.Demo;

/// <summary>
/// The demo annotators' work (samples/demo-work.json, format "annotate-demo-work/1"): articles by title, annotators by
/// email, spans by quoted text and occurrence, labels by name, links by span key (across articles too).
/// </summary>
public record DemoWorkFile(string Format, Dictionary<string, string> Articles, DemoAssignments? Assignments, List<DemoAnnotator> Annotators)
{
    public const string CurrentFormat = "annotate-demo-work/1";

    public static DemoWorkFile Read(string path)
    {
        var work = JsonSerializer.Deserialize<DemoWorkFile>(File.ReadAllText(path), JsonOptions.Api)
            ?? throw new InvalidDataException($"{Path.GetFileName(path)} is empty.");
        if (work.Format != CurrentFormat)
            throw new InvalidDataException($"{Path.GetFileName(path)} has format \"{work.Format}\"; this version reads \"{CurrentFormat}\".");
        return work;
    }
}

/// <summary>How the demo's articles are handed out (applied once the project has assignment modes).</summary>
/// <param name="Curate">reviewers and the articles each is to curate</param>
public record DemoAssignments(string Mode, int AnnotatorsPerDocument, List<DemoCurate>? Curate = null);

/// <param name="Articles">article names, as in the file's <c>articles</c></param>
public record DemoCurate(string Email, List<string> Articles);

public record DemoAnnotator(string Email, List<string>? Finished, List<DemoSpan> Spans, List<DemoLink>? Links);

/// <param name="Key">the span's name within its annotator's work, for links; also what makes its id stable</param>
/// <param name="Occurrence">which occurrence of <paramref name="Text"/> in the article (1 = the first; case-sensitive)</param>
public record DemoSpan(string Key, string Article, string Label, string Text, int? Occurrence, string? Note, JsonElement? Attributes);

public record DemoLink(string Key, string Type, string From, string To, string? Note);

/// <summary>
/// Applies the demo work to the demo project on every start, through the app's own write path (AnnotationWriter, so
/// each span, link and finish is a change-log entry that live pages hear of), acting as each demo annotator.
/// Idempotent and respectful of people: every span and link has an id derived from the project, the annotator and its
/// key, and is written only when that id has never been in the log (so a span a person edited stays as they left it,
/// and one they deleted does not come back). A document is marked finished only from in progress and only if it was
/// never finished before (a reopened document stays open). One agreement report is queued, through the app's job
/// path, only while the project has none.
/// </summary>
public class DemoWork(AppDbContext db, UserManager<AppUser> users, IUserClaimsPrincipalFactory<AppUser> principals,
    AnnotationWriter writer, AgreementScheduler agreement, Workflow.Assignments assignments, ILogger<DemoWork> logger)
{
    public const string FileName = "demo-work.json";

    public record Outcome(int Spans, int Links, int Finished, bool ReportQueued, List<string> Skipped);

    /// <summary>
    /// Hands the articles out as the file says, once: only while the project is free and never had an assignment, so a
    /// lead who changed the mode or the assignments since keeps them. Spreads first and switches the mode last, so
    /// nobody is left for a moment without documents. Through the workflow's own spread, so each assignment is logged.
    /// </summary>
    private async Task AssignOnceAsync(long projectId, DemoAssignments? plan, string leadEmail, CancellationToken cancel)
    {
        if (plan is null || !Enum.TryParse<Projects.AssignmentMode>(plan.Mode, ignoreCase: true, out var mode) || mode == Projects.AssignmentMode.Free) return;
        var project = await db.Projects.FirstAsync(p => p.Id == projectId, cancel);
        if (project.Assignment != Projects.AssignmentMode.Free
            || await db.ChangeEvents.AnyAsync(e => e.ProjectId == projectId && e.Kind == ChangeKind.AssignmentAdded, cancel)) return;
        var lead = await users.FindByEmailAsync(leadEmail);
        if (lead is null) return;
        await assignments.SpreadAsync(project, lead.Id, plan.AnnotatorsPerDocument);
        project.Assignment = mode;
        project.AnnotatorsPerDocument = plan.AnnotatorsPerDocument;
        await db.SaveChangesAsync(cancel);
    }

    /// <summary>
    /// Gives each reviewer of the file the articles to curate, once per reviewer: only while the log never had an
    /// assignment of theirs in the project (reviewers are assigned only to curate), so a lead who took them away or
    /// changed them keeps that. Through the workflow's own write, so each is logged and My work's To curate shows it.
    /// </summary>
    private async Task CurateOnceAsync(long projectId, DemoAssignments? plan, IReadOnlyDictionary<string, (long Id, string Text)> articles,
        string leadEmail, List<string> skipped, CancellationToken cancel)
    {
        if (plan?.Curate is not { Count: > 0 } curate || await users.FindByEmailAsync(leadEmail) is not { } lead) return;
        var project = await db.Projects.FirstAsync(p => p.Id == projectId, cancel);
        foreach (var reviewer in curate)
        {
            if (await users.FindByEmailAsync(reviewer.Email) is not { } user) { skipped.Add($"{reviewer.Email}: no such account"); continue; }
            if (await db.ChangeEvents.AnyAsync(e => e.ProjectId == projectId && e.Kind == ChangeKind.AssignmentAdded && e.OwnerId == user.Id, cancel)) continue;
            var documents = new List<long>();
            foreach (var name in reviewer.Articles)
                if (articles.TryGetValue(name, out var article)) documents.Add(article.Id);
                else skipped.Add($"{reviewer.Email}: no article {name} to curate");
            if (documents.Count > 0)
                await TryAsync(skipped, $"{reviewer.Email}'s articles to curate",
                    () => assignments.SetAsync(project, lead.Id, new Workflow.AssignmentChange(documents, [user.Id], "curate", true)));
        }
    }

    public async Task<Outcome> ApplyAsync(long projectId, string path, string leadEmail, CancellationToken cancel)
    {
        var work = DemoWorkFile.Read(path);
        var skipped = new List<string>();
        var documents = await db.Documents.AsNoTracking().Where(d => d.ProjectId == projectId)
            .Select(d => new { d.Id, d.Title, d.Text }).ToListAsync(cancel);
        var articles = new Dictionary<string, (long Id, string Text)>();
        foreach (var (name, title) in work.Articles)
        {
            var document = documents.FirstOrDefault(d => d.Title == title);
            if (document is null) skipped.Add($"article {name}: no document titled \"{title}\"");
            else articles[name] = (document.Id, document.Text);
        }
        // Not the demo's project (say the demo lead was added to another one after the demo was deleted): leave it alone.
        if (articles.Count == 0) return new Outcome(0, 0, 0, false, skipped);

        // Everything the seed could write, with its stable id; then one look at what exists and what the log ever saw.
        var planned = work.Annotators.SelectMany(a => a.Spans.Select(s => StableId(projectId, a.Email, "span", s.Key))
            .Concat((a.Links ?? []).Select(l => StableId(projectId, a.Email, "link", l.Key)))).ToList();
        var seen = (await db.ChangeEvents.Where(e => e.ProjectId == projectId && e.SubjectId != null && planned.Contains(e.SubjectId.Value))
            .Select(e => e.SubjectId!.Value).Distinct().ToListAsync(cancel)).ToHashSet();
        seen.UnionWith(await db.Annotations.Where(a => planned.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancel));
        seen.UnionWith(await db.Relations.Where(r => planned.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancel));

        // The assignments go first: in assigned mode the writer refuses spans on a document not assigned to the annotator.
        await AssignOnceAsync(projectId, work.Assignments, leadEmail, cancel);
        await CurateOnceAsync(projectId, work.Assignments, articles, leadEmail, skipped, cancel);
        int spans = 0, links = 0, finished = 0;
        foreach (var annotator in work.Annotators)
        {
            var user = await users.FindByEmailAsync(annotator.Email);
            if (user is null) { skipped.Add($"{annotator.Email}: no such account"); continue; }
            var principal = await principals.CreateAsync(user);
            var ids = new Dictionary<string, Guid>();
            foreach (var span in annotator.Spans)
            {
                var id = StableId(projectId, annotator.Email, "span", span.Key);
                ids[span.Key] = id;
                if (seen.Contains(id)) continue;
                if (!articles.TryGetValue(span.Article, out var article)) { skipped.Add($"{annotator.Email} {span.Key}: unknown article {span.Article}"); continue; }
                var (start, end) = Locate(article.Text, span.Text, span.Occurrence ?? 1);
                if (start < 0) { skipped.Add($"{annotator.Email} {span.Key}: \"{span.Text}\" (occurrence {span.Occurrence ?? 1}) is not in {span.Article}"); continue; }
                var layer = await LayerOfAsync(projectId, span.Label, cancel);
                if (layer is null) { skipped.Add($"{annotator.Email} {span.Key}: the project has no span label {span.Label}"); continue; }
                if (await TryAsync(skipped, $"{annotator.Email} {span.Key}", () => writer.CreateAnnotationAsync(principal, article.Id,
                        new NewAnnotation(id, layer, span.Label, start, end, span.Note, span.Attributes, OffsetUnit.Codepoint, span.Text))))
                    spans++;
            }
            foreach (var link in annotator.Links ?? [])
            {
                var id = StableId(projectId, annotator.Email, "link", link.Key);
                if (seen.Contains(id)) continue;
                if (!ids.TryGetValue(link.From, out var from) || !ids.TryGetValue(link.To, out var to))
                { skipped.Add($"{annotator.Email} link {link.Key}: names a span key that {annotator.Email} does not have"); continue; }
                // A link to a span that is gone (a person deleted it, or it was skipped) is skipped: the writer says why.
                if (await TryAsync(skipped, $"{annotator.Email} link {link.Key}", () => writer.CreateRelationAsync(principal, projectId,
                        new NewRelation(id, link.Type, from, to, link.Note))))
                    links++;
            }
            foreach (var name in annotator.Finished ?? [])
            {
                if (!articles.TryGetValue(name, out var article)) continue;
                if (!await MayFinishAsync(projectId, article.Id, user.Id, cancel)) continue;
                if (await TryAsync(skipped, $"{annotator.Email} finishing {name}", () => writer.SetDocumentStatusAsync(principal, article.Id, DocumentStatus.Finished)))
                    finished++;
            }
        }

        var queued = await QueueReportAsync(projectId, leadEmail, cancel);
        foreach (var reason in skipped) logger.LogWarning("Demo work: skipped {Reason}", reason);
        if (spans + links + finished > 0 || queued)
            logger.LogInformation("Demo work: wrote {Spans} spans, {Links} links, {Finished} finishes; agreement report queued: {Queued}", spans, links, finished, queued);
        return new Outcome(spans, links, finished, queued, skipped);
    }

    /// <summary>A UUID (version 5 layout, SHA-1) from the project, the annotator and the item's key: the same on every start.</summary>
    public static Guid StableId(long projectId, string email, string kind, string key)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes($"annotate-demo-work/{projectId}/{email.Trim().ToLowerInvariant()}/{kind}/{key}"));
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The code-point offsets of the n-th (1-based) occurrence of <paramref name="quote"/>, or (-1, -1).</summary>
    public static (int Start, int End) Locate(string text, string quote, int occurrence)
    {
        if (quote.Length == 0 || occurrence < 1) return (-1, -1);
        var at = -1;
        for (var n = 0; n < occurrence; n++)
        {
            at = text.IndexOf(quote, at + 1, StringComparison.Ordinal);
            if (at < 0) return (-1, -1);
        }
        var start = CodePoints.FromUtf16Index(text, at) ?? -1;
        return (start, start + CodePoints.Count(quote));
    }

    private async Task<AnnotationLayer?> LayerOfAsync(long projectId, string label, CancellationToken cancel)
    {
        var name = label.Trim().ToUpperInvariant();
        var kind = await db.LabelDefinitions.Where(l => l.ProjectId == projectId && l.Name == name && l.Kind != Projects.LabelKind.Relation)
            .Select(l => (Projects.LabelKind?)l.Kind).FirstOrDefaultAsync(cancel);
        return kind switch { Projects.LabelKind.Claim => AnnotationLayer.Claim, Projects.LabelKind.Entity => AnnotationLayer.Entity, _ => null };
    }

    /// <summary>In progress now, and never finished before (by the seed or by the person): a reopened document stays open.</summary>
    private async Task<bool> MayFinishAsync(long projectId, long documentId, string userId, CancellationToken cancel)
    {
        var status = await db.DocumentStates.Where(s => s.DocumentId == documentId && s.UserId == userId)
            .Select(s => (DocumentStatus?)s.Status).FirstOrDefaultAsync(cancel);
        if (status != DocumentStatus.InProgress) return false;
        var changes = await db.ChangeEvents.Where(e => e.ProjectId == projectId && e.Kind == ChangeKind.DocumentStateChanged
            && e.DocumentId == documentId && e.OwnerId == userId).Select(e => e.Data).ToListAsync(cancel);
        return !changes.Any(data => JsonDocument.Parse(data).RootElement.TryGetProperty("status", out var s)
            && string.Equals(s.GetString(), "finished", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The demo's one report, queued like the lead's "compute" button while the project has no report at all. The
    /// finishes above also scheduled the debounced after-finish run: it is dropped, as this report covers them.
    /// </summary>
    private async Task<bool> QueueReportAsync(long projectId, string leadEmail, CancellationToken cancel)
    {
        if (await db.AgreementReports.AnyAsync(r => r.ProjectId == projectId, cancel)) return false;
        var lead = await users.FindByEmailAsync(leadEmail);
        await agreement.StartAsync(projectId, AgreementScope.Finished, JobReason.Manual, lead?.Id);
        await db.PendingAgreementRuns.Where(r => r.ProjectId == projectId).ExecuteDeleteAsync(cancel);
        return true;
    }

    /// <summary>Runs one write; a refusal (the writer's own checks) is noted and skipped, never stops the start.</summary>
    private static async Task<bool> TryAsync<T>(List<string> skipped, string what, Func<Task<T>> write)
    {
        try { await write(); return true; }
        catch (ProblemException refused) { skipped.Add($"{what}: {refused.Message}"); return false; }
    }
}
