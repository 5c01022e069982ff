using System.Security.Claims;
using System.Text.Json.Nodes;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Exports;
using Annotate.Web.Features.LiveSync;

namespace Annotate.Web.Features.Documents;

/// <summary>What deleting a document takes with it, counted before it goes (the confirmation page shows it).</summary>
/// <param name="CrossArticleLinks">links between one of its claims and a claim of another article: they go too</param>
public record DocumentImpact(long Id, long ProjectId, string Title, int Spans, int Annotators, int Links, int CrossArticleLinks, int Exports);

/// <summary>
/// Managers' changes to documents, shared by the pages and the API: rename and delete. Both go through the change
/// log, so open pages hear of them live; an archived project refuses both (there, in ChangeLog).
/// </summary>
public class DocumentAdmin(AppDbContext db, ProjectAccess access, ChangeLog log, ExportStorage exportStorage, ILogger<DocumentAdmin> logger)
{
    public async Task<DocumentSummary> RenameAsync(ClaimsPrincipal user, long id, string? title)
    {
        var document = await FindAsManagerAsync(user, id);
        title = title?.Trim();
        if (string.IsNullOrEmpty(title)) throw ProblemException.BadRequest("A document needs a title: send \"title\" with at least one character.");
        if (CodePoints.FindInvalidCharacter(title) is { } invalid) throw ProblemException.BadRequest($"The title contains {invalid}; remove it.");
        if (CodePoints.Count(title) is var length && length > Limits.DocumentTitle.Max)
            throw ProblemException.BadRequest($"{Limits.DocumentTitle.Message[..^1]}; this one has {length}.");
        var userId = ProjectAccess.UserId(user);
        return await log.WriteAsync(document.ProjectId, async entries =>
        {
            var current = await db.Documents.FirstOrDefaultAsync(d => d.Id == id) ?? throw ProjectAccess.DocumentNotFound(id);
            current.Title = title;
            entries.Append(ChangeKind.DocumentRenamed, id, null, null, userId, userId, new { documentId = id, title });
            return DocumentSummary.Of(current);
        });
    }

    public async Task<DocumentImpact> ImpactAsync(ClaimsPrincipal user, long id)
    {
        var document = await FindAsManagerAsync(user, id);
        var spans = await db.Annotations.Where(a => a.DocumentId == id).GroupBy(a => a.AnnotatorId).Select(g => g.Count()).ToListAsync();
        var links = await LinksOfAsync(id);
        var exports = await db.Exports.CountAsync(e => e.ProjectId == document.ProjectId);
        return new DocumentImpact(id, document.ProjectId, document.Title, spans.Sum(), spans.Count, links.Count,
            links.Count(l => l.FromDocument != l.ToDocument), exports);
    }

    /// <summary>
    /// Deletes the document with everything on it, in one transaction: its spans, their links (also links from claims
    /// of other articles to its claims), the annotators' states and what else hangs on the document (database
    /// cascades). Its change-log entries keep their sequence and kind, but their data is redacted; a cross-article
    /// link's deletion is logged against the other article (ids only), so that article's open pages drop the link.
    /// Agreement reports lose the document's row; exports made before (their files hold its text) are removed.
    /// </summary>
    public async Task<DocumentImpact> DeleteAsync(ClaimsPrincipal user, long id)
    {
        var impact = await ImpactAsync(user, id);
        var userId = ProjectAccess.UserId(user);
        var projectId = impact.ProjectId;
        var exportFiles = await log.WriteAsync(projectId, async entries =>
        {
            if (!await db.Documents.AnyAsync(d => d.Id == id)) throw ProjectAccess.DocumentNotFound(id);
            foreach (var link in (await LinksOfAsync(id)).Where(l => l.FromDocument != l.ToDocument))
            {
                var survivor = link.FromDocument == id ? link.ToDocument : link.FromDocument;
                entries.Append(ChangeKind.RelationDeleted, survivor, null, link.Id, link.AnnotatorId, userId, new DeletedView(link.Id, link.Version, survivor));
            }
            await db.Documents.Where(d => d.Id == id).ExecuteDeleteAsync();
            // Allowed by the append-only trigger because the document is gone now (and only to exactly this text).
            await db.Database.ExecuteSqlAsync($"""
                UPDATE change_events SET data = {ChangeEvent.Redacted}::json
                WHERE project_id = {projectId} AND (document_id = {id} OR other_document_id = {id}) AND data::text <> {ChangeEvent.Redacted}
                """);
            await ForgetInAgreementReportsAsync(projectId, id);
            var exports = await db.Exports.Where(e => e.ProjectId == projectId).ToListAsync();
            db.Exports.RemoveRange(exports);
            // The deletion itself: the document's open pages are told (its data names nothing but the id).
            entries.Append(ChangeKind.DocumentDeleted, id, null, null, userId, userId, new { documentId = id });
            return exports.Select(e => e.FileName).OfType<string>().ToList();
        });
        foreach (var file in exportFiles)
        {
            try { File.Delete(exportStorage.PathOf(file)); }
            catch (IOException error) { logger.LogWarning(error, "Could not delete export file {File} of a deleted document's project", file); }
        }
        return impact;
    }

    private sealed record Link(Guid Id, int Version, string AnnotatorId, long FromDocument, long ToDocument);

    private Task<List<Link>> LinksOfAsync(long documentId) =>
        db.Relations.AsNoTracking().Where(r => r.From!.DocumentId == documentId || r.To!.DocumentId == documentId)
            .Select(r => new Link(r.Id, r.Version, r.AnnotatorId, r.From!.DocumentId, r.To!.DocumentId)).ToListAsync();

    /// <summary>A report's per-document row names the article and its figures: it goes; the project's totals stay as computed.</summary>
    private async Task ForgetInAgreementReportsAsync(long projectId, long documentId)
    {
        var path = $"$.** ? (@.documentId == {documentId})";
        var reports = await db.AgreementReports.FromSql($"SELECT * FROM agreement_reports WHERE project_id = {projectId} AND result @? {path}::jsonpath").ToListAsync();
        foreach (var report in reports)
        {
            var result = JsonNode.Parse(report.Result!)!;
            Remove(result, documentId);
            report.Result = result.ToJsonString();
        }
    }

    private static void Remove(JsonNode node, long documentId)
    {
        switch (node)
        {
            case JsonArray array:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    if (array[i] is JsonObject item && item["documentId"] is JsonValue value && value.TryGetValue<long>(out var found) && found == documentId) array.RemoveAt(i);
                    else if (array[i] is { } child) Remove(child, documentId);
                }
                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList()) if (child is not null) Remove(child, documentId);
                break;
        }
    }

    /// <summary>The document, when the caller manages its project: 404 for non-members (as for reading it), 403 for other roles.</summary>
    private async Task<Document> FindAsManagerAsync(ClaimsPrincipal user, long id) =>
        (await access.RequireDocumentAsync(user, id, [ProjectRole.Manager], (projectId, role) =>
            $"Your role in project {projectId} is {role.ToString().ToLowerInvariant()}; renaming or deleting a document needs manager.")).Document;
}
