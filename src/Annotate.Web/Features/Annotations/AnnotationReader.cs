using System.Security.Claims;
using Annotate.Web.Features.Curation;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;

namespace Annotate.Web.Features.Annotations;

/// <summary>Reads annotations, relations and the change log as one viewer may see them (blind projects filtered here).</summary>
/// <remarks>
/// With the project's anonymous curation on, a reviewer reads "Annotator n" for every annotator on these routes too
/// (the editor's lists and filter, the change log), numbered as on the review page (<see cref="Names"/>).
/// </remarks>
public class AnnotationReader(AppDbContext db, ProjectAccess access)
{
    /// <summary>How this viewer reads people's names (one query, and only for those who curate anonymously).</summary>
    public Task<Names> NamesAsync(Viewer viewer) => Names.ForAsync(db, viewer.Project, viewer.Role);

    public async Task<Viewer> ViewerAsync(ClaimsPrincipal user, long projectId)
    {
        var (project, role) = await access.RequireAsync(user, projectId);
        return new Viewer(ProjectAccess.UserId(user), project, role);
    }

    public async Task<AnnotationView?> FindAnnotationAsync(ClaimsPrincipal user, Guid id)
    {
        var row = await db.Annotations.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new { Annotation = a, Name = a.Annotator!.DisplayName }).FirstOrDefaultAsync();
        if (row is null || await access.ViewerOfAsync(user, row.Annotation.ProjectId, row.Annotation.DocumentId) is not { } viewer) return null;
        if (!viewer.SeesEveryone && row.Annotation.AnnotatorId != viewer.UserId) return null;
        return AnnotationView.Of(row.Annotation, (await NamesAsync(viewer)).Rename(row.Annotation.AnnotatorId, row.Name));
    }

    public async Task<List<AnnotationView>> AnnotationsAsync(Viewer viewer, long documentId, string? annotatorId = null)
    {
        // The curated layer is nobody's annotation: the review API shows it, the editor's lists do not.
        var query = db.Annotations.AsNoTracking().Where(a => a.DocumentId == documentId && a.Origin != AnnotationOrigin.Curated);
        if (!viewer.SeesEveryone) query = query.Where(a => a.AnnotatorId == viewer.UserId);
        if (annotatorId is not null) query = query.Where(a => a.AnnotatorId == annotatorId);
        var rows = await query.OrderBy(a => a.Start).ThenBy(a => a.End)
            .Select(a => new { Annotation = a, Name = a.Annotator!.DisplayName }).ToListAsync();
        var names = await NamesAsync(viewer);
        return rows.Select(r => AnnotationView.Of(r.Annotation, names.Rename(r.Annotation.AnnotatorId, r.Name))).ToList();
    }

    /// <summary>Relations of the project (or touching one document), each end visible to the viewer.</summary>
    public async Task<List<RelationView>> RelationsAsync(Viewer viewer, long? documentId = null)
    {
        if (documentId is not null) await RequireOpenableAsync(viewer, documentId.Value);
        var query = db.Relations.AsNoTracking().Where(r => r.ProjectId == viewer.Project.Id && r.From!.Origin != AnnotationOrigin.Curated);
        if (!viewer.SeesEveryone) query = query.Where(r => r.AnnotatorId == viewer.UserId);
        // Assigned and dynamic projects: a link shows only when the viewer may open both of its articles.
        if (Openable(viewer) is { } openable) query = query.Where(r => openable.Contains(r.From!.DocumentId) && openable.Contains(r.To!.DocumentId));
        if (documentId is not null) query = query.Where(r => r.From!.DocumentId == documentId || r.To!.DocumentId == documentId);
        var rows = await query.OrderBy(r => r.CreatedAt)
            .Select(r => new { Relation = r, r.From, r.To, Name = r.Annotator!.DisplayName })
            .ToListAsync();
        var names = await NamesAsync(viewer);
        var views = rows.Select(r => RelationView.Of(r.Relation, r.From!, r.To!, names.Rename(r.Relation.AnnotatorId, r.Name)));
        if (viewer.SeesEveryone) return views.ToList();
        // Blind: an annotator's own link can end at another annotator's claim (made while the project was open, or
        // while they were a reviewer). The link is theirs; that claim's text is not.
        return rows.Zip(views, (r, view) => view with
        {
            FromText = r.From!.AnnotatorId == viewer.UserId ? view.FromText : null,
            ToText = r.To!.AnnotatorId == viewer.UserId ? view.ToText : null,
        }).ToList();
    }

    /// <summary>
    /// Claims whose text, attribution or note contain <paramref name="search"/>, optionally only in articles whose title
    /// contains <paramref name="title"/>: a title is its own filter, so "50" finds claims about 50, not every claim of an
    /// article whose file name has a 50 in it.
    /// </summary>
    public async Task<List<ClaimView>> ClaimsAsync(Viewer viewer, string? search, string? title, long? documentId, int limit)
    {
        var projectId = viewer.Project.Id;
        if (documentId is not null) await RequireOpenableAsync(viewer, documentId.Value);
        var query = db.Annotations.AsNoTracking().Where(a => a.ProjectId == projectId && a.Layer == AnnotationLayer.Claim && a.Origin != AnnotationOrigin.Curated);
        if (!viewer.SeesEveryone) query = query.Where(a => a.AnnotatorId == viewer.UserId);
        if (Openable(viewer) is { } openable) query = query.Where(a => openable.Contains(a.DocumentId));
        if (documentId is not null) query = query.Where(a => a.DocumentId == documentId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = LikePattern(search);
            // The attribution lives in the jsonb attributes, which LINQ cannot read: a composed SQL subquery.
            var attributed = db.Database.SqlQuery<Guid>(
                $"SELECT id AS \"Value\" FROM annotations WHERE project_id = {projectId} AND layer = 'claim' AND attributes->>'attributedTo' ILIKE {pattern}");
            query = query.Where(a => EF.Functions.ILike(a.Text, pattern) || EF.Functions.ILike(a.Note ?? "", pattern) || attributed.Contains(a.Id));
        }
        if (!string.IsNullOrWhiteSpace(title))
        {
            var pattern = LikePattern(title);
            query = query.Where(a => EF.Functions.ILike(a.Document!.Title, pattern));
        }
        var claims = await query.OrderBy(a => a.DocumentId).ThenBy(a => a.Start).Take(Math.Clamp(limit, 1, 500))
            .Select(a => new ClaimView(a.Id, a.DocumentId, a.Document!.Title, a.Label, a.Start, a.End, a.Text, a.Note, a.AnnotatorId, a.Annotator!.DisplayName, a.Version))
            .ToListAsync();
        var names = await NamesAsync(viewer);
        return claims.Select(c => c with { AnnotatorName = names.Rename(c.AnnotatorId, c.AnnotatorName) }).ToList();
    }

    /// <summary>The documents the viewer may open, or null for all of the project's (ProjectAccess decides).</summary>
    private IQueryable<long>? Openable(Viewer viewer) => access.OpenableIds(viewer.Project, viewer.Role, viewer.UserId);

    private Task RequireOpenableAsync(Viewer viewer, long documentId) => access.RequireOpenableAsync(viewer, documentId);

    private static string LikePattern(string words) => "%" + words.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>The log after <paramref name="after"/>, in sequence order, as the viewer may see it; optionally only what touches one document.</summary>
    public async Task<List<ChangeEventView>> EventsAsync(Viewer viewer, long after, long? documentId = null, int limit = 10_000)
    {
        if (documentId is not null) await RequireOpenableAsync(viewer, documentId.Value);
        var query = db.ChangeEvents.AsNoTracking().Where(e => e.ProjectId == viewer.Project.Id && e.Sequence > after);
        if (documentId is not null) query = query.Where(e => e.DocumentId == documentId || e.OtherDocumentId == documentId);
        if (!viewer.SeesEveryone)
            query = query.Where(e => e.OwnerId == viewer.UserId || e.Kind == ChangeKind.DocumentRenamed || e.Kind == ChangeKind.DocumentDeleted);
        if (Openable(viewer) is { } openable)
            query = query.Where(e => (e.DocumentId == null || openable.Contains(e.DocumentId.Value)) && (e.OtherDocumentId == null || openable.Contains(e.OtherDocumentId.Value)));
        var rows = await query.OrderBy(e => e.Sequence).Take(limit).ToListAsync();
        var names = await NamesAsync(viewer);
        var views = rows.Select(e => names.Rename(ChangeEventView.Of(e))).ToList();
        return viewer.SeesEveryone ? views : await WithoutOthersClaimsAsync(viewer, views);
    }

    /// <summary>
    /// The log as a blind annotator may read it: their own link entries keep the link, but the text of a far end that is
    /// not theirs (or no longer exists, so cannot be shown to be theirs) is withheld, as in <see cref="RelationsAsync"/>.
    /// </summary>
    private async Task<List<ChangeEventView>> WithoutOthersClaimsAsync(Viewer viewer, List<ChangeEventView> views)
    {
        static bool IsLink(ChangeEventView e) => e.Kind is ChangeKind.RelationCreated or ChangeKind.RelationUpdated;
        var ends = views.Where(IsLink).SelectMany(e => new[] { End(e.Data, "from"), End(e.Data, "to") }).OfType<Guid>().Distinct().ToList();
        if (ends.Count == 0) return views;
        var own = (await db.Annotations.AsNoTracking().Where(a => ends.Contains(a.Id) && a.AnnotatorId == viewer.UserId).Select(a => a.Id).ToListAsync()).ToHashSet();
        return views.Select(e =>
        {
            if (!IsLink(e)) return e;
            var data = System.Text.Json.Nodes.JsonNode.Parse(e.Data.GetRawText())!.AsObject();
            if (End(e.Data, "from") is not { } from || !own.Contains(from)) data["fromText"] = null;
            if (End(e.Data, "to") is not { } to || !own.Contains(to)) data["toText"] = null;
            return e with { Data = System.Text.Json.JsonSerializer.SerializeToElement(data) };
        }).ToList();
    }

    private static Guid? End(System.Text.Json.JsonElement data, string name) =>
        data.TryGetProperty(name, out var end) && end.TryGetGuid(out var id) ? id : null;

    public async Task<long> LastSequenceAsync(long projectId) =>
        await db.ProjectSequences.Where(s => s.ProjectId == projectId).Select(s => (long?)s.LastSequence).FirstOrDefaultAsync() ?? 0;

    public async Task<List<DocumentStateView>> DocumentStatesAsync(Viewer viewer, long documentId)
    {
        var query = db.DocumentStates.AsNoTracking().Where(s => s.DocumentId == documentId);
        if (!viewer.SeesEveryone) query = query.Where(s => s.UserId == viewer.UserId);
        var states = await query.Select(s => new DocumentStateView(s.DocumentId, s.UserId, s.User!.DisplayName, s.Status, s.UpdatedAt)).ToListAsync();
        var names = await NamesAsync(viewer);
        return states.Select(s => s with { UserName = names.Rename(s.UserId, s.UserName) }).ToList();
    }
}

public record ClaimView(Guid Id, long DocumentId, string DocumentTitle, string Label, int Start, int End, string Text, string? Note,
    string AnnotatorId, string AnnotatorName, int Version);
