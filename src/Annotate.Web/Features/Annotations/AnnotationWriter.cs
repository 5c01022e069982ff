using System.Security.Claims;
using System.Text.Json;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Features.Relations;
using Annotate.Web.Features.Workflow;

namespace Annotate.Web.Features.Annotations;

/// <summary>
/// The one write path for annotations, relations and document states, used by the hub and the REST API alike:
/// check the caller's role, validate, write the change and its log entry in one transaction (ChangeLog), and
/// return the new state. Broadcasting follows from the log after commit.
/// </summary>
public class AnnotationWriter(AppDbContext db, ProjectAccess access, ChangeLog log, Agreement.AgreementScheduler agreement, Workflow.FinishedLock finishedLock, GroupCommit groupCommit,
    DocumentTexts texts)
{
    public async Task<(AnnotationView View, bool Created)> CreateAnnotationAsync(ClaimsPrincipal user, long documentId, NewAnnotation request)
    {
        var userId = ProjectAccess.UserId(user);
        var layer = request.Layer ?? throw ProblemException.BadRequest("Say which layer the span belongs to: \"entity\" or \"claim\".");
        var label = LabelName(request.Label);
        var unit = request.Unit ?? OffsetUnit.Codepoint;
        var (from, to) = SpanRules.Ordered(request.Start, request.End, request.Text);
        var attributes = NormaliseAttributes(request.Attributes);
        var note = SpanRules.Note(request.Note);
        var id = request.Id ?? Guid.NewGuid();
        if (id == Guid.Empty) throw ProblemException.BadRequest("An annotation id cannot be the empty uuid.");

        // The article's text and project from this node's memory; who may write here is decided with the create's batch, under
        // the project's lock (GroupCommit.WriteAsync), in the same round trip as its clash checks: a create makes two.
        var document = await texts.GetAsync(documentId) ?? throw ProjectAccess.DocumentNotFound(documentId);
        // Bad offsets are told only to someone who may write on the document, so they are kept until its batch knows.
        (int Start, int End, string Text)? resolved = null;
        ProblemException? offsetProblem = null;
        try { resolved = Resolve(document, from, to, unit, request.Text); }
        catch (ProblemException problem) { offsetProblem = problem; }
        var (start, end, text) = resolved ?? (from, to, "");
        var now = Clock.Now;
        var create = new PendingCreate(document.ProjectId, new Annotation
        {
            Id = id, ProjectId = document.ProjectId, DocumentId = documentId, AnnotatorId = userId, Layer = layer, Label = label,
            Start = start, End = end, Text = text, Attributes = attributes, Note = note, Version = 1,
            Origin = AnnotationOrigin.Manual, CreatedAt = now, UpdatedAt = now,
        }, ProjectAccess.IsAdmin(user), offsetProblem);
        // Inside a transaction the caller holds, the create joins it; otherwise it shares a commit with the project's other writers.
        if (db.Database.CurrentTransaction is null) return await groupCommit.CreateAsync(create);
        var outcome = (await GroupCommit.WriteAsync(log, document.ProjectId, [create]))[0];
        return outcome.Refusal is { } refusal ? throw refusal : outcome.Result;
    }

    public async Task<AnnotationView> UpdateAnnotationAsync(ClaimsPrincipal user, Guid id, AnnotationChange request)
    {
        var userId = ProjectAccess.UserId(user);
        var annotation = await FindOwnAnnotationAsync(user, id);
        if (request.Version is null) throw ProblemException.BadRequest("Send the version your change is based on (\"version\"), so nobody's edit is overwritten unseen.");
        var label = request.Label is null ? annotation.Label : await RequireLabelAsync(annotation.ProjectId, annotation.Layer, request.Label);
        int start = annotation.Start, end = annotation.End;
        var text = annotation.Text;
        if (request.Start is not null || request.End is not null)
        {
            var unit = request.Unit ?? OffsetUnit.Codepoint;
            if (unit == OffsetUnit.Utf16 && (request.Start is null || request.End is null))
                throw ProblemException.BadRequest("With UTF-16 offsets send both start and end.");
            (start, end, text) = await ResolveAsync(annotation.DocumentId, request.Start ?? annotation.Start, request.End ?? annotation.End, unit, request.Text);
        }
        var name = await DisplayNameAsync(userId);

        return await log.WriteAsync(annotation.ProjectId, async entries =>
        {
            var current = await db.Annotations.FirstOrDefaultAsync(a => a.Id == id)
                ?? throw ProblemException.NotFound($"Annotation {id} was deleted meanwhile.");
            if (current.Version != request.Version)
                throw StaleVersion("annotation", id, request.Version.Value, AnnotationView.Of(current, name));
            current.Label = label;
            (current.Start, current.End, current.Text) = (start, end, text);
            if (request.Note is not null) current.Note = SpanRules.Note(request.Note);
            if (request.Attributes is not null) current.Attributes = NormaliseAttributes(request.Attributes);
            current.Version++;
            current.UpdatedAt = Clock.Now;
            var view = AnnotationView.Of(current, name);
            entries.Append(ChangeKind.AnnotationUpdated, current.DocumentId, null, id, userId, userId, view);
            return view;
        });
    }

    /// <summary>Deletes one's own annotation and every relation that links it (each relation's deletion is logged too).</summary>
    public async Task DeleteAnnotationAsync(ClaimsPrincipal user, Guid id, int? version)
    {
        var userId = ProjectAccess.UserId(user);
        var annotation = await FindOwnAnnotationAsync(user, id);
        if (version is null) throw ProblemException.BadRequest("Send the version you are deleting (?version=N), so a newer edit is not deleted unseen.");
        var name = await DisplayNameAsync(userId);

        await log.WriteAsync(annotation.ProjectId, async entries =>
        {
            var current = await db.Annotations.FirstOrDefaultAsync(a => a.Id == id)
                ?? throw ProblemException.NotFound($"Annotation {id} was already deleted.");
            if (current.Version != version) throw StaleVersion("annotation", id, version.Value, AnnotationView.Of(current, name));
            await RemoveLinksAsync(entries, r => r.FromId == id || r.ToId == id, userId);
            db.Annotations.Remove(current);
            entries.Append(ChangeKind.AnnotationDeleted, current.DocumentId, null, id, userId, userId, new DeletedView(id, current.Version, current.DocumentId));
            return true;
        });
    }

    public async Task<(RelationView View, bool Created)> CreateRelationAsync(ClaimsPrincipal user, long projectId, NewRelation request)
    {
        var userId = ProjectAccess.UserId(user);
        var (project, role) = await access.RequireAsync(user, projectId);
        if (request.From is null || request.To is null) throw ProblemException.BadRequest("A relation needs \"from\" and \"to\": the ids of two claims.");
        if (request.From == request.To) throw ProblemException.BadRequest("A claim cannot be linked to itself.");
        var typeName = request.Type?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(typeName)) throw ProblemException.BadRequest("Say the relation's type, e.g. \"contradicts\" or \"supports\".");
        var type = await db.LabelDefinitions.Where(l => l.ProjectId == projectId && l.Kind == LabelKind.Relation && l.Name == typeName)
            .Select(l => l.Name).FirstOrDefaultAsync()
            ?? throw ProblemException.BadRequest($"This project has no relation type {typeName}; its types are: {string.Join(", ", await RelationTypesAsync(projectId))}.");
        var note = SpanRules.Note(request.Note);
        var id = request.Id ?? Guid.NewGuid();
        var name = await DisplayNameAsync(userId);
        var seesAll = ProjectAccess.SeesEveryone(project, role);
        var openable = access.OpenableIds(project, role, userId);

        return await log.WriteAsync(projectId, async entries =>
        {
            var ends = await db.Annotations.AsNoTracking().Where(a => a.Id == request.From || a.Id == request.To).ToListAsync();
            var from = ends.FirstOrDefault(a => a.Id == request.From);
            var to = ends.FirstOrDefault(a => a.Id == request.To);
            foreach (var (end, which, endId) in new[] { (from, "from", request.From), (to, "to", request.To) })
            {
                if (end is null || end.ProjectId != projectId || (!seesAll && end.AnnotatorId != userId)
                    || openable is not null && !await openable.AnyAsync(d => d == end.DocumentId))
                    throw ProblemException.NotFound($"The \"{which}\" claim {endId} does not exist in this project (it may have been deleted).");
                if (end.Origin == AnnotationOrigin.Curated)
                    throw ProblemException.BadRequest($"The \"{which}\" claim {endId} is part of the curated layer; curated links are made on the review page.");
                if (end.Layer != AnnotationLayer.Claim)
                    throw ProblemException.BadRequest($"The \"{which}\" span {endId} is a {end.Label} entity; relations link claims.");
            }
            await RequireEditableAsync(from!.DocumentId);
            await RequireEditableAsync(to!.DocumentId);
            await finishedLock.RequireOpenAsync(project, userId, from.DocumentId, to.DocumentId);
            var existing = await db.Relations.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id);
            if (existing is not null)
            {
                if (existing.AnnotatorId == userId && existing.FromId == from!.Id && existing.ToId == to!.Id && existing.Type == type)
                    return (RelationView.Of(existing, from, to, name), false);
                throw ProblemException.Conflict($"The id {id} is already used by another relation; make a new uuid.");
            }
            var now = Clock.Now;
            var relation = new Relation
            {
                Id = id, ProjectId = projectId, Type = type, FromId = from!.Id, ToId = to!.Id, Note = note,
                AnnotatorId = userId, Version = 1, CreatedAt = now, UpdatedAt = now,
            };
            db.Relations.Add(relation);
            var view = RelationView.Of(relation, from, to, name);
            entries.Append(ChangeKind.RelationCreated, from.DocumentId, to.DocumentId, id, userId, userId, view);
            return (view, true);
        });
    }

    public async Task DeleteRelationAsync(ClaimsPrincipal user, Guid id, int? version)
    {
        var userId = ProjectAccess.UserId(user);
        var relation = await db.Relations.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id) ?? throw RelationNotFound(id);
        var ends = await db.Annotations.AsNoTracking().Where(a => a.Id == relation.FromId || a.Id == relation.ToId).Select(a => a.DocumentId).Distinct().ToListAsync();
        var viewer = await access.ViewerOfAsync(user, relation.ProjectId, ends) ?? throw RelationNotFound(id);
        var project = viewer.Project;
        if (relation.AnnotatorId != userId)
        {
            if (!viewer.SeesEveryone) throw RelationNotFound(id);
            throw ProblemException.Forbidden("This link belongs to another annotator; only they can delete it.");
        }
        await finishedLock.RequireOpenAsync(project, userId, [.. ends]);
        if (version is null) throw ProblemException.BadRequest("Send the version you are deleting (?version=N).");
        await log.WriteAsync(relation.ProjectId, async entries =>
        {
            var current = await db.Relations.Include(r => r.From).Include(r => r.To).FirstOrDefaultAsync(r => r.Id == id)
                ?? throw ProblemException.NotFound($"Relation {id} was already deleted.");
            if (current.Version != version)
                throw StaleVersion("relation", id, version.Value, RelationView.Of(current, current.From!, current.To!, await DisplayNameAsync(current.AnnotatorId)));
            await RequireEditableAsync(current.From!.DocumentId);
            await RequireEditableAsync(current.To!.DocumentId);
            db.Relations.Remove(current);
            entries.Append(ChangeKind.RelationDeleted, current.From!.DocumentId, current.To!.DocumentId, id, userId, userId,
                new DeletedView(id, current.Version, current.From.DocumentId));
            return true;
        });
    }

    public async Task<DocumentStateView> SetDocumentStatusAsync(ClaimsPrincipal user, long documentId, DocumentStatus? status)
    {
        var userId = ProjectAccess.UserId(user);
        if (status is null) throw ProblemException.BadRequest("Say the status: \"new\", \"in_progress\" or \"finished\".");
        var (document, (_, project, role)) = await access.RequireDocumentAsync(user, documentId);
        // A document released from them (dynamic mode) stays readable, but its state is no longer theirs to move: the
        // place went to someone else, so marking it finished (or in progress) would count work nobody holds.
        if (ProjectAccess.OpensOnlyAssigned(project, role)
            && !await db.Assignments.AnyAsync(a => a.DocumentId == documentId && a.UserId == userId && a.Kind == AssignmentKind.Annotate))
            throw ProblemException.Conflict($"Document {documentId} is no longer assigned to you (its place was handed on); your work on it stays readable, " +
                "but its state cannot change. Press Next document for another one.", ("documentId", documentId), ("reason", "released"));
        await RequireEditableAsync(documentId);
        var name = await DisplayNameAsync(userId);
        var view = await log.WriteAsync(document.ProjectId, async entries =>
        {
            var state = await db.DocumentStates.FirstOrDefaultAsync(s => s.DocumentId == documentId && s.UserId == userId);
            if (state is null) db.DocumentStates.Add(state = new DocumentState { DocumentId = documentId, UserId = userId });
            state.Status = status.Value;
            state.UpdatedAt = Clock.Now;
            var changed = new DocumentStateView(documentId, userId, name, state.Status, state.UpdatedAt);
            entries.Append(ChangeKind.DocumentStateChanged, documentId, null, null, userId, userId, changed);
            return changed;
        });
        // A finished document may change the project's agreement: recompute soon (debounced).
        if (status == DocumentStatus.Finished) await agreement.ScheduleAfterFinishAsync(document.ProjectId);
        return view;
    }

    /// <summary>
    /// A manager reopens a document an annotator marked finished (finishedLocks makes it read-only for them until then):
    /// their state goes back to in progress, logged with the manager as the actor.
    /// </summary>
    public async Task<DocumentStateView> ReopenForAsync(ClaimsPrincipal user, long documentId, string? annotatorId)
    {
        var (document, (_, _, role)) = await access.RequireDocumentAsync(user, documentId);
        if (role != ProjectRole.Manager) throw ProblemException.Forbidden("Only a manager reopens a document for someone else; reopen your own by setting its status.");
        if (string.IsNullOrWhiteSpace(annotatorId)) throw ProblemException.BadRequest("Say whose document to reopen: \"userId\".");
        var actorId = ProjectAccess.UserId(user);
        var name = await DisplayNameAsync(annotatorId);
        return await log.WriteAsync(document.ProjectId, async entries =>
        {
            var state = await db.DocumentStates.FirstOrDefaultAsync(s => s.DocumentId == documentId && s.UserId == annotatorId);
            if (state is null || state.Status != DocumentStatus.Finished)
                throw ProblemException.Conflict($"{(name.Length > 0 ? name : "That person")} has not finished document {documentId}; there is nothing to reopen.");
            state.Status = DocumentStatus.InProgress;
            state.UpdatedAt = Clock.Now;
            var view = new DocumentStateView(documentId, annotatorId, name, state.Status, state.UpdatedAt);
            entries.Append(ChangeKind.DocumentStateChanged, documentId, null, null, annotatorId, actorId, view);
            return view;
        });
    }

    /// <summary>
    /// A manager resets one annotator's work on a document: their spans there (and every link that uses them) are
    /// deleted and their state goes back to new, each deletion logged like any other with the manager as the actor.
    /// <paramref name="confirmed"/> must be true: this cannot be undone.
    /// </summary>
    public async Task<(int Spans, int Links)> ResetWorkAsync(ClaimsPrincipal user, long documentId, string? annotatorId, bool confirmed)
    {
        var (document, (_, _, role)) = await access.RequireDocumentAsync(user, documentId);
        if (role != ProjectRole.Manager) throw ProblemException.Forbidden("Only a manager resets someone's work on a document.");
        if (string.IsNullOrWhiteSpace(annotatorId)) throw ProblemException.BadRequest("Say whose work to reset: \"userId\".");
        if (!confirmed) throw ProblemException.BadRequest("Resetting deletes that person's spans and links on the document for good: send \"confirm\": true.");
        var actorId = ProjectAccess.UserId(user);
        var name = await DisplayNameAsync(annotatorId);
        return await log.WriteAsync(document.ProjectId, async entries =>
        {
            var spans = await db.Annotations.Where(a => a.DocumentId == documentId && a.AnnotatorId == annotatorId).ToListAsync();
            var ids = spans.Select(a => a.Id).ToList();
            var links = await RemoveLinksAsync(entries, r => ids.Contains(r.FromId) || ids.Contains(r.ToId), actorId);
            foreach (var span in spans)
            {
                db.Annotations.Remove(span);
                entries.Append(ChangeKind.AnnotationDeleted, documentId, null, span.Id, annotatorId, actorId, new DeletedView(span.Id, span.Version, documentId));
            }
            var state = await db.DocumentStates.FirstOrDefaultAsync(s => s.DocumentId == documentId && s.UserId == annotatorId);
            if (state is not null && state.Status != DocumentStatus.New)
            {
                state.Status = DocumentStatus.New;
                state.UpdatedAt = Clock.Now;
                entries.Append(ChangeKind.DocumentStateChanged, documentId, null, null, annotatorId, actorId,
                    new DocumentStateView(documentId, annotatorId, name, state.Status, state.UpdatedAt));
            }
            if (spans.Count == 0 && state is null) throw ProblemException.Conflict($"{(name.Length > 0 ? name : "That person")} has no work on document {documentId} to reset.");
            return (spans.Count, links);
        });
    }

    /// <summary>
    /// Once a reviewer starts curating a document its annotators' work there is read-only (until a manager reopens it),
    /// so the units being decided stay the units they were.
    /// </summary>
    private async Task RequireEditableAsync(long documentId)
    {
        if (await db.DocumentCurations.AnyAsync(c => c.DocumentId == documentId && (c.State == Curation.CurationState.InProgress || c.State == Curation.CurationState.Curated)))
            throw CurationLocked(documentId);
    }

    internal static ProblemException CurationLocked(long documentId) => ProblemException.Conflict(
        $"Document {documentId} is being curated: its annotations are read-only until a manager reopens it.");

    private async Task<Annotation> FindOwnAnnotationAsync(ClaimsPrincipal user, Guid id)
    {
        var userId = ProjectAccess.UserId(user);
        var annotation = await db.Annotations.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id) ?? throw AnnotationNotFound(id);
        var viewer = await access.ViewerOfAsync(user, annotation.ProjectId, annotation.DocumentId) ?? throw AnnotationNotFound(id);
        if (annotation.Origin == AnnotationOrigin.Curated)
            throw ProblemException.Conflict("This span is part of the curated layer, which changes only through the review page (its decisions can be undone there).");
        if (annotation.AnnotatorId != userId)
        {
            if (!viewer.SeesEveryone) throw AnnotationNotFound(id);
            throw ProblemException.Forbidden("This span belongs to another annotator; only they can change or delete it.");
        }
        await finishedLock.RequireOpenAsync(viewer.Project, userId, annotation.DocumentId);
        await RequireEditableAsync(annotation.DocumentId);
        return annotation;
    }

    /// <summary>
    /// New offsets of a span, checked against the document: with code points PostgreSQL cuts only the slice the span
    /// covers (its substring counts code points), so an edit never loads the article's whole text; UTF-16 offsets
    /// need the text to be converted.
    /// </summary>
    private async Task<(int Start, int End, string Text)> ResolveAsync(long documentId, int start, int end, OffsetUnit unit, string? expectedText) =>
        Resolve(await texts.GetAsync(documentId) ?? throw ProjectAccess.DocumentNotFound(documentId), start, end, unit, expectedText);

    /// <summary>The span's offsets in code points and its text, checked against the article's text (kept in this node's memory, DocumentTexts).</summary>
    private static (int Start, int End, string Text) Resolve(DocumentText document, int start, int end, OffsetUnit unit, string? expectedText)
    {
        if (unit == OffsetUnit.Utf16) return SpanRules.Resolve(document.Whole, document.Length, start, end, unit, expectedText);
        var (from, to) = SpanRules.Ordered(start, end, expectedText);
        return SpanRules.Checked(document.Length, from, to, to <= document.Length ? document.Slice(from, to) : "", expectedText);
    }

    private static string LabelName(string? label)
    {
        var name = label?.Trim().ToUpperInvariant();
        return string.IsNullOrEmpty(name) ? throw ProblemException.BadRequest("A span needs a label.") : name;
    }

    private async Task<string> RequireLabelAsync(long projectId, AnnotationLayer layer, string? label)
    {
        var name = LabelName(label);
        var kind = layer == AnnotationLayer.Claim ? LabelKind.Claim : LabelKind.Entity;
        if (await db.LabelDefinitions.AnyAsync(l => l.ProjectId == projectId && l.Kind == kind && l.Name == name)) return name;
        var known = await db.LabelDefinitions.Where(l => l.ProjectId == projectId && l.Kind == kind).OrderBy(l => l.SortOrder).Select(l => l.Name).ToListAsync();
        throw UnknownLabel(layer, name, string.Join(", ", known));
    }

    /// <param name="known">the project's labels of that layer, in their order, comma-separated</param>
    internal static ProblemException UnknownLabel(AnnotationLayer layer, string name, string known) => ProblemException.BadRequest(
        $"This project has no {layer.ToString().ToLowerInvariant()} label {name}; its {layer.ToString().ToLowerInvariant()} labels are: {known}.");

    private Task<List<string>> RelationTypesAsync(long projectId) =>
        db.LabelDefinitions.Where(l => l.ProjectId == projectId && l.Kind == LabelKind.Relation).OrderBy(l => l.SortOrder).Select(l => l.Name).ToListAsync();

    private async Task<string> DisplayNameAsync(string userId) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefaultAsync() ?? "";

    private static string NormaliseAttributes(JsonElement? attributes)
    {
        if (attributes is null || attributes.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return "{}";
        if (attributes.Value.ValueKind != JsonValueKind.Object)
            throw ProblemException.BadRequest("\"attributes\" must be a JSON object, e.g. {\"attributedTo\": \"the Coast Guard\"}.");
        var json = attributes.Value.GetRawText();
        if (json.Length > SpanRules.MaxAttributesLength) throw ProblemException.BadRequest($"\"attributes\" may hold at most {SpanRules.MaxAttributesLength} characters of JSON.");
        return json;
    }

    /// <summary>
    /// Removes the links that <paramref name="touching"/> selects (those ending at spans being deleted: a link never
    /// outlives its ends), each with its log entry; answers how many.
    /// </summary>
    private async Task<int> RemoveLinksAsync(ChangeEntries entries, System.Linq.Expressions.Expression<Func<Relation, bool>> touching, string actorId)
    {
        var links = await db.Relations.Where(touching)
            .Select(r => new { Relation = r, FromDocument = r.From!.DocumentId, ToDocument = r.To!.DocumentId }).ToListAsync();
        foreach (var link in links)
        {
            db.Relations.Remove(link.Relation);
            entries.Append(ChangeKind.RelationDeleted, link.FromDocument, link.ToDocument, link.Relation.Id, link.Relation.AnnotatorId, actorId,
                new DeletedView(link.Relation.Id, link.Relation.Version, link.FromDocument));
        }
        return links.Count;
    }

    private static ProblemException StaleVersion(string what, Guid id, int based, object current) => ProblemException.Stale(
        $"This {what} changed since you loaded it (you sent version {based}); nothing was changed. The current state is in \"current\": reapply your edit to it if you still want it.",
        current);

    public static ProblemException AnnotationNotFound(Guid id) => ProblemException.NotFound($"Annotation {id} does not exist or you cannot see it.");
    public static ProblemException RelationNotFound(Guid id) => ProblemException.NotFound($"Relation {id} does not exist or you cannot see it.");
}
