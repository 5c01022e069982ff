using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;

namespace Annotate.Web.Features.Workflow;

public record AssignmentView(long DocumentId, string UserId, string UserName, AssignmentKind Kind, DateTimeOffset AssignedAt, string? AssignedById);

/// <summary>What the change log records when an assignment goes: who lost which document, and why ("unassigned" by a manager, or "released").</summary>
public record AssignmentRemovedView(long DocumentId, string UserId, AssignmentKind Kind, string Reason);

/// <summary>PUT /api/projects/{id}/assignments: every document x user pair given is set to assigned (or not).</summary>
public record AssignmentChange(IReadOnlyList<long>? Documents, IReadOnlyList<string>? Users, string? Kind, bool? Assigned);

public record SpreadRequest(int? AnnotatorsPerDocument, string? Kind);

public record SpreadResult(int Added, int AnnotatorsPerDocument, IReadOnlyList<AssignmentView> Assignments);

/// <summary>The answer of Next document: the document to open, or none with the reason.</summary>
/// <param name="Review">true when it is a document to curate (a reviewer's Next document): open its review page</param>
public record NextDocument(long? DocumentId, string? Title, DocumentStatus? Status, bool Handed, string Message)
{
    public bool Review { get; init; }
}

/// <summary>
/// Who works on which document. Every change is written with its log entries through ChangeLog.WriteAsync, which holds
/// the project's counter row locked until commit: all assignment changes of one project are serialised by the database,
/// so two annotators pressing Next document at once can never both take a document's last free place.
/// </summary>
public class Assignments(AppDbContext db, ChangeLog log, TimeProvider time)
{
    private DateTimeOffset Now
    {
        get
        {
            var now = time.GetUtcNow();
            return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond)); // what PostgreSQL stores
        }
    }

    public Task<List<AssignmentView>> ListAsync(long projectId, string? onlyUserId = null)
    {
        var query = db.Assignments.AsNoTracking().Where(a => a.ProjectId == projectId);
        if (onlyUserId is not null) query = query.Where(a => a.UserId == onlyUserId);
        return query.OrderBy(a => a.DocumentId).ThenBy(a => a.Kind).ThenBy(a => a.User!.Email)
            .Select(a => new AssignmentView(a.DocumentId, a.UserId, a.User!.DisplayName, a.Kind, a.AssignedAt, a.AssignedById))
            .ToListAsync();
    }

    public static AssignmentKind ParseKind(string? kind) => kind?.Trim().ToLowerInvariant() switch
    {
        null or "" or "annotate" => AssignmentKind.Annotate,
        "curate" => AssignmentKind.Curate,
        _ => throw ProblemException.Invalid("An assignment's kind is \"annotate\" (annotators) or \"curate\" (reviewers).",
            "kind", "\"annotate\" or \"curate\""),
    };

    /// <summary>Sets every given document x person pair to assigned or unassigned; checks all of them first.</summary>
    public async Task<int> SetAsync(Project project, string actorId, AssignmentChange change)
    {
        var kind = ParseKind(change.Kind);
        if (change.Assigned is null) throw ProblemException.BadRequest("Say \"assigned\": true to assign, false to unassign.");
        var documentIds = (change.Documents ?? []).Distinct().ToList();
        var userIds = (change.Users ?? []).Distinct().ToList();
        if (documentIds.Count == 0 || userIds.Count == 0)
            throw ProblemException.BadRequest("Give at least one document id in \"documents\" and one user id in \"users\".");
        if (documentIds.Count * (long)userIds.Count > 100_000) throw ProblemException.BadRequest("At most 100,000 document x person pairs at once.");
        var known = await db.Documents.Where(d => d.ProjectId == project.Id && documentIds.Contains(d.Id)).Select(d => d.Id).ToListAsync();
        var missing = documentIds.Except(known).ToList();
        if (missing.Count > 0) throw ProblemException.BadRequest($"Not documents of this project: {string.Join(", ", missing.Take(20))}.");
        var members = await db.ProjectMembers.Where(m => m.ProjectId == project.Id && userIds.Contains(m.UserId)).ToDictionaryAsync(m => m.UserId, m => m.Role);
        var strangers = userIds.Where(u => !members.ContainsKey(u)).ToList();
        if (strangers.Count > 0) throw ProblemException.BadRequest($"Not members of this project: {string.Join(", ", strangers.Take(20))}.");
        if (kind == AssignmentKind.Curate && members.FirstOrDefault(m => m.Value == ProjectRole.Annotator) is { Key: { } annotatorId })
            throw ProblemException.BadRequest($"Only reviewers and managers curate; {annotatorId} is an annotator.");

        var changed = await log.WriteAsync(project.Id, async entries =>
        {
            var existing = (await db.Assignments.Where(a => a.ProjectId == project.Id && a.Kind == kind && documentIds.Contains(a.DocumentId) && userIds.Contains(a.UserId))
                .ToListAsync()).ToDictionary(a => (a.DocumentId, a.UserId));
            var names = await NamesAsync(userIds);
            var count = 0;
            var now = Now;
            foreach (var documentId in documentIds)
            foreach (var userId in userIds)
            {
                var has = existing.TryGetValue((documentId, userId), out var assignment);
                if (change.Assigned.Value && !has)
                {
                    var added = new Assignment { ProjectId = project.Id, DocumentId = documentId, UserId = userId, Kind = kind, AssignedAt = now, AssignedById = actorId };
                    db.Assignments.Add(added);
                    entries.Append(ChangeKind.AssignmentAdded, documentId, null, null, userId, actorId, View(added, names[userId]));
                    count++;
                }
                else if (!change.Assigned.Value && has)
                {
                    db.Assignments.Remove(assignment!);
                    entries.Append(ChangeKind.AssignmentRemoved, documentId, null, null, userId, actorId, new AssignmentRemovedView(documentId, userId, kind, "unassigned"));
                    count++;
                }
            }
            return count;
        });
        // Someone who lost documents stops hearing them live at once (their next join is checked afresh).
        if (!change.Assigned.Value && changed > 0 && kind == AssignmentKind.Annotate)
            foreach (var userId in userIds) await LiveAccess.AnnounceAsync(db, project.Id, userId);
        return changed;
    }

    /// <summary>
    /// Each document to N annotators, spread evenly: documents in id order, each topped up to N with the annotators
    /// who have the fewest assignments in the project so far (ties by email). Deterministic; from an even start every
    /// annotator ends within one document of every other.
    /// </summary>
    public async Task<int> SpreadAsync(Project project, string actorId, int? perDocument)
    {
        var n = perDocument ?? project.AnnotatorsPerDocument;
        if (n is < 1 or > ProjectSettings.MaxAnnotatorsPerDocument)
            throw ProblemException.Invalid($"Annotators per document is a whole number from 1 to {ProjectSettings.MaxAnnotatorsPerDocument}.",
                "annotatorsPerDocument", $"1 to {ProjectSettings.MaxAnnotatorsPerDocument}");
        var annotators = await db.ProjectMembers.Where(m => m.ProjectId == project.Id && m.Role == ProjectRole.Annotator)
            .OrderBy(m => m.User!.Email).Select(m => new { m.UserId, Name = m.User!.DisplayName }).ToListAsync();
        if (annotators.Count < n)
            throw ProblemException.BadRequest($"Each document to {n} annotator(s) needs {n} annotators in the project; it has {annotators.Count}. Add members as annotators first.");

        return await log.WriteAsync(project.Id, async entries =>
        {
            var documents = await db.Documents.Where(d => d.ProjectId == project.Id).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync();
            var existing = await db.Assignments.AsNoTracking().Where(a => a.ProjectId == project.Id && a.Kind == AssignmentKind.Annotate)
                .Select(a => new { a.DocumentId, a.UserId }).ToListAsync();
            var byDocument = existing.GroupBy(a => a.DocumentId).ToDictionary(g => g.Key, g => g.Select(a => a.UserId).ToHashSet());
            var order = annotators.Select((a, i) => (a.UserId, i)).ToDictionary(x => x.UserId, x => x.i);
            var load = annotators.ToDictionary(a => a.UserId, a => existing.Count(e => e.UserId == a.UserId));
            var now = Now;
            var added = 0;
            foreach (var documentId in documents)
            {
                var have = byDocument.TryGetValue(documentId, out var set) ? set : [];
                var need = n - have.Count;
                if (need <= 0) continue;
                var chosen = annotators.Where(a => !have.Contains(a.UserId))
                    .OrderBy(a => load[a.UserId]).ThenBy(a => order[a.UserId]).Take(need).ToList();
                foreach (var annotator in chosen)
                {
                    var assignment = new Assignment { ProjectId = project.Id, DocumentId = documentId, UserId = annotator.UserId, Kind = AssignmentKind.Annotate, AssignedAt = now, AssignedById = actorId };
                    db.Assignments.Add(assignment);
                    entries.Append(ChangeKind.AssignmentAdded, documentId, null, null, annotator.UserId, actorId, View(assignment, annotator.Name));
                    load[annotator.UserId]++;
                    added++;
                }
            }
            return added;
        });
    }

    /// <summary>
    /// The person's documents with their state, in queue order: assigned ones (or, in a free project, all of them), the
    /// unfinished first.
    /// </summary>
    public async Task<List<QueueItem>> QueueAsync(Project project, ProjectRole role, string userId)
    {
        // Someone with assignments works through those (in a free project too); otherwise through every document they may open.
        var ownOnly = ProjectAccess.OpensOnlyAssigned(project, role)
            || await db.Assignments.AnyAsync(a => a.ProjectId == project.Id && a.UserId == userId && a.Kind == AssignmentKind.Annotate);
        var documents = ownOnly
            ? db.Documents.Where(d => d.ProjectId == project.Id && db.Assignments.Any(a => a.DocumentId == d.Id && a.UserId == userId && a.Kind == AssignmentKind.Annotate))
            : db.Documents.Where(d => d.ProjectId == project.Id);
        var rows = await documents.Select(d => new
            {
                d.Id, d.Title,
                Status = db.DocumentStates.Where(s => s.DocumentId == d.Id && s.UserId == userId).Select(s => (DocumentStatus?)s.Status).FirstOrDefault(),
                Spans = db.Annotations.Count(a => a.DocumentId == d.Id && a.AnnotatorId == userId),
                AssignedAt = db.Assignments.Where(a => a.DocumentId == d.Id && a.UserId == userId && a.Kind == AssignmentKind.Annotate).Select(a => (DateTimeOffset?)a.AssignedAt).FirstOrDefault(),
            })
            .OrderBy(d => d.Id).ToListAsync();
        return rows.Select(r => new QueueItem(r.Id, r.Title, r.Status ?? DocumentStatus.New, r.Spans, r.AssignedAt)).ToList();
    }

    /// <summary>The documents the person is assigned to curate, with the review's state of each (not started when nobody has reviewed it).</summary>
    public async Task<List<CurateItem>> ToCurateAsync(long projectId, string userId)
    {
        var rows = await db.Assignments.AsNoTracking().Where(a => a.ProjectId == projectId && a.UserId == userId && a.Kind == AssignmentKind.Curate)
            .OrderBy(a => a.DocumentId)
            .Select(a => new
            {
                a.DocumentId, a.Document!.Title, a.AssignedAt,
                State = db.DocumentCurations.Where(c => c.DocumentId == a.DocumentId).Select(c => (Curation.CurationState?)c.State).FirstOrDefault(),
            }).ToListAsync();
        return rows.Select(r => new CurateItem(r.DocumentId, r.Title, r.State ?? Curation.CurationState.NotStarted, r.AssignedAt)).ToList();
    }

    /// <summary>
    /// The document to open next: the next unfinished one of the person's queue after <paramref name="current"/>; in a
    /// dynamic project with none left, a document that still needs annotators is handed to them (releasing an assignment
    /// abandoned past the project's timeout when that is the only way to make room).
    /// </summary>
    public async Task<NextDocument> NextAsync(Project project, ProjectRole role, string userId, long? current)
    {
        // A reviewer works through the documents they are assigned to curate: the next one not yet curated.
        if (role == ProjectRole.Reviewer)
        {
            var open = (await ToCurateAsync(project.Id, userId)).Where(c => c.State != Curation.CurationState.Curated && c.DocumentId != current).ToList();
            var toCurate = open.FirstOrDefault(c => current is null || c.DocumentId > current) ?? open.FirstOrDefault();
            return toCurate is null
                ? new NextDocument(null, null, null, false, "Nothing left to curate: every document assigned to you is curated.")
                : new NextDocument(toCurate.DocumentId, toCurate.Title, null, false, $"Next to curate: {toCurate.Title}.") { Review = true };
        }
        var queue = await QueueAsync(project, role, userId);
        var unfinished = queue.Where(q => q.Status != DocumentStatus.Finished && q.DocumentId != current).ToList();
        // After the current one first (the order of the list), then from the top.
        var next = unfinished.FirstOrDefault(q => current is null || q.DocumentId > current) ?? unfinished.FirstOrDefault();
        if (next is not null) return new NextDocument(next.DocumentId, next.Title, next.Status, false, $"Next in your queue: {next.Title}.");
        if (project.Assignment != AssignmentMode.Dynamic || role != ProjectRole.Annotator)
            return new NextDocument(null, null, null, false, "Your queue is done: every document in it is finished.");

        var name = (await NamesAsync([userId]))[userId];
        var (handed, released) = await log.WriteAsync(project.Id, async entries =>
        {
            // Under the project's counter lock: what is read below is what the last committed change left.
            var now = Now;
            var cutoff = now - TimeSpan.FromMinutes(project.ReleaseAfterMinutes);
            var taken = await db.Assignments.AsNoTracking().Where(a => a.ProjectId == project.Id && a.Kind == AssignmentKind.Annotate)
                .Select(a => new
                {
                    a.DocumentId, a.UserId, a.AssignedAt,
                    Finished = db.DocumentStates.Any(s => s.DocumentId == a.DocumentId && s.UserId == a.UserId && s.Status == DocumentStatus.Finished),
                    Touched = a.AssignedAt >= cutoff
                        || db.DocumentStates.Any(s => s.DocumentId == a.DocumentId && s.UserId == a.UserId && s.UpdatedAt >= cutoff)
                        || db.Annotations.Any(x => x.DocumentId == a.DocumentId && x.AnnotatorId == a.UserId && x.UpdatedAt >= cutoff),
                })
                .ToListAsync();
            var mine = taken.Where(t => t.UserId == userId).Select(t => t.DocumentId).ToHashSet();
            // Someone else's unfinished document untouched past the timeout: its place may be handed on.
            bool Abandoned(long documentId, string owner, bool finished, bool touched) => owner != userId && !finished && !touched;
            var places = taken.GroupBy(t => t.DocumentId).ToDictionary(g => g.Key, g => (
                Live: g.Count(t => !Abandoned(t.DocumentId, t.UserId, t.Finished, t.Touched)),
                Abandoned: g.Where(t => Abandoned(t.DocumentId, t.UserId, t.Finished, t.Touched)).OrderBy(t => t.AssignedAt).Select(t => t.UserId).ToList()));
            var finishedByMe = await db.DocumentStates.Where(s => s.UserId == userId && s.Status == DocumentStatus.Finished && s.Document!.ProjectId == project.Id)
                .Select(s => s.DocumentId).ToListAsync();
            var documents = await db.Documents.Where(d => d.ProjectId == project.Id).OrderBy(d => d.Id).Select(d => new { d.Id, d.Title }).ToListAsync();
            // Documents others already started come first, so documents get their N annotators one after another.
            var choice = documents
                .Where(d => !mine.Contains(d.Id) && !finishedByMe.Contains(d.Id))
                .Select(d => (Document: d, Place: places.TryGetValue(d.Id, out var p) ? p : (Live: 0, Abandoned: new List<string>())))
                .Where(c => c.Place.Live < project.AnnotatorsPerDocument)
                .OrderByDescending(c => c.Place.Live).ThenBy(c => c.Document.Id)
                .FirstOrDefault();
            if (choice.Document is null) return (((long Id, string Title)?)null, new List<string>());

            var releasedHere = new List<string>();
            var occupied = choice.Place.Live + choice.Place.Abandoned.Count;
            foreach (var owner in choice.Place.Abandoned)
            {
                if (occupied < project.AnnotatorsPerDocument) break;
                await db.Assignments.Where(a => a.DocumentId == choice.Document.Id && a.UserId == owner && a.Kind == AssignmentKind.Annotate).ExecuteDeleteAsync();
                // Their spans and state stay theirs; only the place goes.
                entries.Append(ChangeKind.AssignmentRemoved, choice.Document.Id, null, null, owner, userId,
                    new AssignmentRemovedView(choice.Document.Id, owner, AssignmentKind.Annotate, "released"));
                releasedHere.Add(owner);
                occupied--;
            }
            var assignment = new Assignment { ProjectId = project.Id, DocumentId = choice.Document.Id, UserId = userId, Kind = AssignmentKind.Annotate, AssignedAt = now, AssignedById = userId };
            db.Assignments.Add(assignment);
            entries.Append(ChangeKind.AssignmentAdded, choice.Document.Id, null, null, userId, userId, View(assignment, name));
            return (((long Id, string Title)?)(choice.Document.Id, choice.Document.Title), releasedHere);
        });
        foreach (var owner in released) await LiveAccess.AnnounceAsync(db, project.Id, owner);
        return handed is { } document
            ? new NextDocument(document.Id, document.Title, DocumentStatus.New, true, $"Handed to you: {document.Title}.")
            : new NextDocument(null, null, null, false, "No document needs another annotator right now; try again later.");
    }

    private async Task<Dictionary<string, string>> NamesAsync(IReadOnlyCollection<string> userIds) =>
        await db.Users.Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName);

    private static AssignmentView View(Assignment a, string name) => new(a.DocumentId, a.UserId, name, a.Kind, a.AssignedAt, a.AssignedById);
}

public record QueueItem(long DocumentId, string Title, DocumentStatus Status, int Spans, DateTimeOffset? AssignedAt);

/// <summary>A document the person is assigned to curate, with its curation state.</summary>
public record CurateItem(long DocumentId, string Title, Curation.CurationState State, DateTimeOffset AssignedAt);
