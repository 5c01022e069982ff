using System.Security.Claims;
using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Features.Relations;

namespace Annotate.Web.Features.Curation;

/// <summary>
/// The review of one document and the decisions that build its curated layer. Every decision, undo, redo and state
/// change is written with its change-log entry (curation_decided, curation_undone, curation_state_changed) through
/// <see cref="ChangeLog.WriteAsync{T}"/>, under the project's lock: two reviewers deciding the same unit at once are put
/// in order, and the second is refused with the unit as the first left it.
/// <para>
/// The curated layer is stored as annotations of origin "curated" (made in the deciding reviewer's name) and links
/// between them, so the curated export scope, the formats and an imported adjudicated dataset keep working; everything
/// an annotator reads or that measures annotators (agreement, the "all" scope, the editor) leaves those rows out.
/// </para>
/// </summary>
public class CurationService(AppDbContext db, ProjectAccess access, ChangeLog log, AnnotatorWorkCache kept)
{
    public static readonly string[] Reasons = ["guideline_gap", "annotator_slip", "ambiguous_text", "other"];
    public static readonly string[] Actions = ["accept", "edit", "add", "reject", "accept-agreed"];
    /// <summary>At most this many curated spans are inserted with the decision rather than copied (see <see cref="CopyAsync"/>).</summary>
    private const int FewSpans = 8;
    private const string NotReviewer = "Reviewing is for the project's reviewers and managers; your role is annotator.";

    /// <summary>The document and the caller's project, for reviewers and managers (403 for annotators, 404 for non-members).</summary>
    public async Task<(Document Document, Project Project, ProjectRole Role, string UserId)> RequireReviewerAsync(ClaimsPrincipal user, long documentId)
    {
        var open = await access.RequireDocumentAsync(user, documentId, [ProjectRole.Reviewer, ProjectRole.Manager], (_, _) => NotReviewer);
        return (open.Document, open.Project, open.Role, open.UserId);
    }

    public async Task<ReviewView> ReviewAsync(ClaimsPrincipal user, long documentId)
    {
        var (document, project, role, _) = await RequireReviewerAsync(user, documentId);
        var snapshot = await SnapshotAsync(document, await Names.ForAsync(db, project, role), records: true);
        return snapshot.View();
    }

    public async Task<DecisionOutcome> DecideAsync(ClaimsPrincipal user, long documentId, DecisionRequest request)
    {
        var (document, project, role, userId) = await RequireReviewerAsync(user, documentId);
        var action = request.Action?.Trim().ToLowerInvariant();
        if (action is null || !Actions.Contains(action))
            throw ProblemException.BadRequest($"\"action\" is one of {string.Join(", ", Actions)}.");
        var reason = NormaliseReason(request.Reason);
        var note = SpanRules.Note(request.Note);
        var names = await Names.ForAsync(db, project, role);
        return await log.WriteAsync(project.Id, async entries =>
        {
            var snapshot = await SnapshotAsync(document, names, deciding: (action, request), caller: userId);
            return await DecideInLockAsync(entries, snapshot, userId, action, request with { Reason = reason, Note = note }, redoOf: null);
        });
    }

    public async Task<DecisionOutcome> UndoAsync(ClaimsPrincipal user, long decisionId)
    {
        var (decision, document, project, role, userId) = await RequireDecisionAsync(user, decisionId);
        var names = await Names.ForAsync(db, project, role);
        return await log.WriteAsync(project.Id, async entries =>
        {
            var current = await db.CurationDecisions.FirstAsync(d => d.Id == decisionId);
            var snapshot = await SnapshotAsync(document, names, caller: userId);
            if (current.UndoneAt is not null)
                throw ProblemException.Stale($"Decision {decisionId} was already undone; nothing was changed.", snapshot.ViewOf(current));
            RequireNotCurated(snapshot);
            // A curated link made by a later decision holds one of this decision's spans: undoing this would cut it.
            var created = current.CreatedSpans;
            var holding = await db.Relations.AsNoTracking()
                .Where(r => (created.Contains(r.FromId) || created.Contains(r.ToId)) && !current.CreatedRelations.Contains(r.Id))
                .Select(r => r.Id).ToListAsync();
            if (holding.Count > 0)
            {
                var later = await db.CurationDecisions.AsNoTracking()
                    .Where(d => d.UndoneAt == null && d.CreatedRelations.Any(r => holding.Contains(r))).Select(d => d.Id).ToListAsync();
                throw ProblemException.Conflict(
                    $"A curated link of decision {string.Join(", ", later)} ends at a span this decision made: undo that decision first.", ("decisions", later));
            }
            await db.Relations.Where(r => current.CreatedRelations.Contains(r.Id)).ExecuteDeleteAsync();
            await db.Annotations.Where(a => created.Contains(a.Id) && a.Origin == AnnotationOrigin.Curated).ExecuteDeleteAsync();
            current.UndoneAt = Clock.Now;
            current.UndoneById = userId;
            var view = snapshot.ViewOf(current);
            var entry = entries.Append(ChangeKind.CurationUndone, current.DocumentId, OtherDocument(current), null, userId, userId, view);
            await db.SaveChangesAsync();
            snapshot.Record(current);
            // What it removed here: its spans in this document and its links that touched it.
            var removed = new RemovedCurated(snapshot.Curated.Where(c => created.Contains(c.Id)).Select(c => c.Id).ToList(),
                snapshot.CuratedLinks.Where(r => current.CreatedRelations.Contains(r.Id)).Select(r => r.Id).ToList());
            return new DecisionOutcome(view, entry.Sequence, 0, snapshot.Changed(current.Units), new CuratedChange(new CuratedView([], []), removed),
                snapshot.OpenCount, snapshot.State, null);
        });
    }

    /// <summary>Makes an undone decision again, as a new decision (the units it decided must still be open).</summary>
    public async Task<DecisionOutcome> RedoAsync(ClaimsPrincipal user, long decisionId)
    {
        var (decision, document, project, role, userId) = await RequireDecisionAsync(user, decisionId);
        if (decision.UndoneAt is null) throw ProblemException.Conflict($"Decision {decisionId} is not undone; there is nothing to redo.");
        var request = JsonSerializer.Deserialize<DecisionRequest>(decision.Request, JsonOptions.Api)!;
        var names = await Names.ForAsync(db, project, role);
        return await log.WriteAsync(project.Id, async entries =>
        {
            var snapshot = await SnapshotAsync(document, names, deciding: (decision.Action, request), caller: userId);
            if (await db.CurationDecisions.AnyAsync(d => d.RedoOf == decisionId && d.UndoneAt == null))
                throw ProblemException.Conflict($"Decision {decisionId} was already redone.");
            // Based on the units as they are now: a redo is refused only when one of them has been decided since.
            var current = request.Unit is { } unit ? snapshot.VersionOf(unit) : (int?)null;
            return await DecideInLockAsync(entries, snapshot, userId, decision.Action, request with { Version = current }, redoOf: decisionId);
        });
    }

    public async Task<CurationStateView> SetStateAsync(ClaimsPrincipal user, long documentId, CurationStateRequest request)
    {
        var (document, project, role, userId) = await RequireReviewerAsync(user, documentId);
        var state = request.State?.Trim().ToLowerInvariant() switch
        {
            "curated" => CurationState.Curated,
            "in_progress" => CurationState.InProgress,
            "reopened" => CurationState.Reopened,
            _ => throw ProblemException.BadRequest("\"state\" is \"curated\" (every unit decided), \"in_progress\" or, for managers, \"reopened\" (annotators may edit again)."),
        };
        if (state == CurationState.Reopened && role != ProjectRole.Manager)
            throw ProblemException.Forbidden("Only a manager can reopen a document for its annotators.");
        var names = await Names.ForAsync(db, project, role);
        return await log.WriteAsync(project.Id, async entries =>
        {
            var snapshot = await SnapshotAsync(document, names);
            if (state == CurationState.Curated && snapshot.OpenCount > 0)
                throw ProblemException.Conflict($"{snapshot.OpenCount} unit{(snapshot.OpenCount == 1 ? " is" : "s are")} still open: decide {(snapshot.OpenCount == 1 ? "it" : "them")} before marking the document curated.",
                    ("open", snapshot.OpenCount));
            var row = await SetStateRowAsync(entries, document, state, userId);
            return new CurationStateView(documentId, row.State, row.UpdatedById, row.UpdatedAt, snapshot.OpenCount);
        });
    }

    private async Task<DocumentCuration> SetStateRowAsync(ChangeEntries entries, Document document, CurationState state, string userId)
    {
        var row = await db.DocumentCurations.FirstOrDefaultAsync(c => c.DocumentId == document.Id);
        if (row is null) db.DocumentCurations.Add(row = new DocumentCuration { DocumentId = document.Id, ProjectId = document.ProjectId });
        row.State = state;
        row.UpdatedById = userId;
        row.UpdatedAt = Clock.Now;
        entries.Append(ChangeKind.CurationStateChanged, document.Id, null, null, userId, userId,
            new { documentId = document.Id, state = row.State, updatedById = userId, updatedAt = row.UpdatedAt });
        return row;
    }

    private async Task<(CurationDecision, Document, Project, ProjectRole, string)> RequireDecisionAsync(ClaimsPrincipal user, long decisionId)
    {
        var decision = await db.CurationDecisions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == decisionId)
            ?? throw ProblemException.NotFound($"Decision {decisionId} does not exist or you cannot see it.");
        var role = await access.RoleAsync(user, decision.ProjectId) ?? throw ProblemException.NotFound($"Decision {decisionId} does not exist or you cannot see it.");
        if (role == ProjectRole.Annotator) throw ProblemException.Forbidden(NotReviewer);
        var (document, project, _, userId) = await RequireReviewerAsync(user, decision.DocumentId);
        return (decision, document, project, role, userId);
    }

    private static long? OtherDocument(CurationDecision decision) => decision.Documents.FirstOrDefault(d => d != decision.DocumentId) is var other and not 0 ? other : null;

    private static void RequireNotCurated(Snapshot snapshot)
    {
        if (snapshot.State == CurationState.Curated)
            throw ProblemException.Conflict("This document is marked curated: set it back to in progress to change its decisions.");
    }

    /// <summary>The decision itself, inside the project's lock: checks, curated rows, the decision row and its log entries.</summary>
    private async Task<DecisionOutcome> DecideInLockAsync(ChangeEntries entries, Snapshot snapshot, string userId, string action, DecisionRequest request, long? redoOf)
    {
        RequireNotCurated(snapshot);
        // Inside the change log's transaction, all or nothing: EF's savepoint around each SaveChanges is two round trips more under the lock.
        db.Database.AutoSavepointsEnabled = false;
        var plan = new Plan(snapshot, userId);
        switch (action)
        {
            case "accept-agreed": PlanMerge(plan, request.Threshold); break;
            case "add" when request.Unit is null: PlanAdd(plan, null, request.Span); break;
            default:
            {
                var unitId = request.Unit ?? throw ProblemException.BadRequest($"Say which unit you decide (\"unit\", an id from the review).");
                if (request.Version is null) throw ProblemException.BadRequest("Send the unit's version your decision is based on (\"version\", from the review), so nobody's decision is overwritten unseen.");
                // A refusal answers with the unit as it is, its decision whole: read with the decisions' records.
                if (snapshot.Refuses(unitId, request.Version.Value))
                    (await SnapshotAsync(snapshot.Document, snapshot.Names, records: true)).RequireOpen(unitId, request.Version.Value);
                snapshot.RequireOpen(unitId, request.Version.Value);
                if (snapshot.LinkUnit(unitId) is { } link)
                {
                    if (action == "accept") await PlanAcceptLinkAsync(plan, link, request.AnnotatorId);
                    else if (action == "reject") plan.Reject(link);
                    else throw ProblemException.BadRequest("A link unit is accepted (one annotator's link) or rejected.");
                }
                else
                {
                    var unit = snapshot.SpanUnit(unitId) ?? throw ProblemException.NotFound($"This document has no unit {unitId}.");
                    switch (action)
                    {
                        case "accept": plan.Accept(unit, Version(unit, request), null); break;
                        case "edit": plan.Accept(unit, Version(unit, request), Checked(snapshot, request.Span, unit.Layer)); break;
                        case "add": PlanAdd(plan, unit, request.Span); break;
                        case "reject": plan.Reject(unit); break;
                    }
                }
                break;
            }
        }
        if (plan.Units.Count == 0 && plan.NewSpans.Count == 0)
            return new DecisionOutcome(null, null, 0, [], CuratedChange.None, snapshot.OpenCount, snapshot.State,
                "No open unit is agreed or passes the threshold: nothing was merged.");

        // The curated rows, then the decision that made them.
        var now = Clock.Now;
        await CopyAsync(plan.NewSpans);
        db.Relations.AddRange(plan.NewLinks);
        var decision = new CurationDecision
        {
            ProjectId = snapshot.Document.ProjectId, DocumentId = snapshot.Document.Id,
            Documents = plan.Documents.Prepend(snapshot.Document.Id).Distinct().ToList(),
            ReviewerId = userId, DecidedAt = now, Action = action, Units = plan.Units.Distinct().ToList(), Reason = request.Reason, Note = request.Note,
            Chosen = JsonSerializer.Serialize(plan.Chosen, JsonOptions.Api), Rejected = JsonSerializer.Serialize(plan.Rejected, JsonOptions.Api),
            Result = JsonSerializer.Serialize(new CuratedView(plan.ResultSpans, plan.ResultLinks), JsonOptions.Api),
            Request = JsonSerializer.Serialize(request, JsonOptions.Api),
            CreatedSpans = plan.NewSpans.Select(s => s.Id).ToList(), CreatedRelations = plan.NewLinks.Select(r => r.Id).ToList(), RedoOf = redoOf,
        };
        db.CurationDecisions.Add(decision);
        await db.SaveChangesAsync(); // the decision's id, for its log entry
        // Curation has started: the annotators' work on each document it touched is read-only from now on.
        var stateNow = snapshot.State;
        foreach (var documentId in decision.Documents)
        {
            var state = documentId == snapshot.Document.Id ? snapshot.State
                : await db.DocumentCurations.Where(c => c.DocumentId == documentId).Select(c => (CurationState?)c.State).FirstOrDefaultAsync() ?? CurationState.NotStarted;
            if (DocumentCuration.Locks(state)) continue;
            await SetStateRowAsync(entries, documentId == snapshot.Document.Id ? snapshot.Document : await db.Documents.AsNoTracking().FirstAsync(d => d.Id == documentId),
                CurationState.InProgress, userId);
            if (documentId == snapshot.Document.Id) stateNow = CurationState.InProgress;
        }
        var view = snapshot.ViewOf(decision);
        var entry = entries.Append(ChangeKind.CurationDecided, decision.DocumentId, OtherDocument(decision), null, userId, userId, view);
        await db.SaveChangesAsync();
        snapshot.Record(decision);
        return new DecisionOutcome(view, entry.Sequence, plan.Units.Count, snapshot.Changed(decision.Units), snapshot.Added(plan), snapshot.OpenCount, stateNow, null);
    }

    /// <summary>
    /// Writes the decision's curated spans in one binary COPY, inside the decision's transaction: accept-all-agreed on a
    /// long article makes thousands, and EF's batched inserts of them (fourteen parameters a row) took about a second.
    /// The one or two of a single decision go with the decision's own insert instead (one round trip, not a COPY's three).
    /// </summary>
    private async Task CopyAsync(List<Annotation> spans)
    {
        if (spans.Count == 0) return;
        if (spans.Count <= FewSpans)
        {
            db.Annotations.AddRange(spans);
            return;
        }
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY annotations (id, project_id, document_id, annotator_id, layer, label, start, "end", text, attributes, note, version, origin, created_at, updated_at)
            FROM STDIN (FORMAT BINARY)
            """);
        foreach (var a in spans)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(a.Id, NpgsqlTypes.NpgsqlDbType.Uuid);
            await writer.WriteAsync(a.ProjectId, NpgsqlTypes.NpgsqlDbType.Bigint);
            await writer.WriteAsync(a.DocumentId, NpgsqlTypes.NpgsqlDbType.Bigint);
            await writer.WriteAsync(a.AnnotatorId, NpgsqlTypes.NpgsqlDbType.Text);
            await writer.WriteAsync(SnakeCaseNaming.ToSnakeCase(a.Layer.ToString()), NpgsqlTypes.NpgsqlDbType.Varchar);
            await writer.WriteAsync(a.Label, NpgsqlTypes.NpgsqlDbType.Varchar);
            await writer.WriteAsync(a.Start, NpgsqlTypes.NpgsqlDbType.Integer);
            await writer.WriteAsync(a.End, NpgsqlTypes.NpgsqlDbType.Integer);
            await writer.WriteAsync(a.Text, NpgsqlTypes.NpgsqlDbType.Text);
            await writer.WriteAsync(a.Attributes, NpgsqlTypes.NpgsqlDbType.Jsonb);
            if (a.Note is null) await writer.WriteNullAsync(); else await writer.WriteAsync(a.Note, NpgsqlTypes.NpgsqlDbType.Varchar);
            await writer.WriteAsync(a.Version, NpgsqlTypes.NpgsqlDbType.Integer);
            await writer.WriteAsync(SnakeCaseNaming.ToSnakeCase(a.Origin.ToString()), NpgsqlTypes.NpgsqlDbType.Varchar);
            await writer.WriteAsync(a.CreatedAt.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(a.UpdatedAt.ToUniversalTime(), NpgsqlTypes.NpgsqlDbType.TimestampTz);
        }
        await writer.CompleteAsync();
    }

    private static UnitSpan Version(ReviewUnit unit, DecisionRequest request)
    {
        var annotator = request.AnnotatorId ?? throw ProblemException.BadRequest("Say whose version you accept (\"annotatorId\").");
        var theirs = unit.Versions.Where(v => v.AnnotatorId == annotator && (request.SpanId is null || v.SpanId == request.SpanId)).ToList();
        return theirs.Count switch
        {
            0 => throw ProblemException.BadRequest($"That annotator has no version in unit {unit.Id}."),
            1 => theirs[0],
            _ => throw ProblemException.BadRequest($"That annotator has {theirs.Count} spans in unit {unit.Id}: say which one (\"spanId\")."),
        };
    }

    private static UnitSpan Checked(Snapshot snapshot, SpanInput? span, AnnotationLayer layer)
    {
        if (span?.Start is not { } start || span.End is not { } end) throw ProblemException.BadRequest("Send the span: {start, end, label} in code points.");
        if (start < 0 || end <= start || end > snapshot.Document.Length)
            throw ProblemException.BadRequest($"A span runs from 0 <= start < end <= {snapshot.Document.Length} (the article's length in code points).");
        var spanLayer = span.Layer ?? layer;
        var label = span.Label?.Trim().ToUpperInvariant();
        var kind = spanLayer == AnnotationLayer.Claim ? LabelKind.Claim : LabelKind.Entity;
        if (string.IsNullOrEmpty(label) || !snapshot.Labels.Any(l => l.Kind == kind && l.Name == label))
            throw ProblemException.BadRequest($"This project has no {spanLayer.ToString().ToLowerInvariant()} label {label}; its {spanLayer.ToString().ToLowerInvariant()} labels are: {string.Join(", ", snapshot.Labels.Where(l => l.Kind == kind).Select(l => l.Name))}.");
        return new UnitSpan("", Guid.Empty, spanLayer, label, start, end);
    }

    private static void PlanAdd(Plan plan, ReviewUnit? unit, SpanInput? span)
    {
        var own = Checked(plan.Snapshot, span, unit?.Layer ?? span?.Layer ?? throw ProblemException.BadRequest("Say the span's layer: \"entity\" or \"claim\"."));
        if (unit is null && plan.Snapshot.Curated.Any(c => c.Layer == own.Layer && c.Start == own.Start && c.End == own.End && c.Label == own.Label))
            throw ProblemException.Conflict("The curated layer already has that span.");
        plan.Add(unit, own);
    }

    /// <summary>Accept all agreed units, and with a threshold every open unit whose leading version passes it.</summary>
    private static void PlanMerge(Plan plan, ThresholdInput? threshold)
    {
        var snapshot = plan.Snapshot;
        if (threshold is not null && (threshold.Annotators is not { } n || n < 1 || threshold.Share is not { } s || s <= 0 || s > 1))
            throw ProblemException.BadRequest("A threshold is {annotators: N >= 1, share: S with 0 < S <= 1}.");
        foreach (var unit in snapshot.Units.Where(u => snapshot.DecisionOf(u.Id) is null))
        {
            var version = ReviewUnits.AgreedVersion(unit, snapshot.Counted)
                ?? (threshold is null ? null : ReviewUnits.Winner(unit, snapshot.Counted, threshold.Annotators!.Value, threshold.Share!.Value));
            if (version is not null) plan.Accept(unit, version, null);
        }
        // Agreed links whose two ends are curated (now or by this merge).
        foreach (var link in snapshot.LinkUnits.Where(u => u.Kind == ReviewUnits.Agreed && snapshot.DecisionOf(u.Id) is null))
        {
            var version = link.Versions.First(v => snapshot.Counted.Contains(v.AnnotatorId));
            if (plan.CuratedAt(version.From, snapshot.Span(version.FromSpanId)) is { } from && plan.CuratedAt(version.To, snapshot.Span(version.ToSpanId)) is { } to)
                plan.Link(link, version, from, to);
        }
    }

    /// <summary>
    /// Accepts one annotator's link; an end not yet curated is accepted with it (that annotator's claim decides the end's
    /// unit), even in another article, in this one decision.
    /// </summary>
    private async Task PlanAcceptLinkAsync(Plan plan, LinkUnit link, string? annotatorId)
    {
        var version = link.Versions.FirstOrDefault(v => v.AnnotatorId == annotatorId)
            ?? throw ProblemException.BadRequest($"Say whose link you accept (\"annotatorId\" of one of the unit's versions).");
        var ends = new List<Annotation>();
        foreach (var spanId in new[] { version.FromSpanId, version.ToSpanId })
        {
            var span = plan.Snapshot.Span(spanId); // the far end of a link is read with it
            var owner = span.DocumentId == plan.Snapshot.Document.Id ? plan.Snapshot
                : plan.Other(span.DocumentId) ?? plan.AddOther(await SnapshotAsync(await db.Documents.AsNoTracking().FirstAsync(d => d.Id == span.DocumentId), plan.Snapshot.Names));
            if (owner.State == CurationState.Curated)
                throw ProblemException.Conflict($"The other article of this link ({owner.Document.Title}) is marked curated: set it back to in progress first.");
            var end = new LinkEnd(span.DocumentId, span.Start, span.End);
            if (plan.CuratedAt(end, span) is { } curated) { ends.Add(curated); continue; }
            var unit = owner.Units.First(u => u.Versions.Any(v => v.SpanId == spanId));
            if (owner.DecisionOf(unit.Id) is { } decided)
                throw ProblemException.Conflict($"This link's end \"{span.Text}\" is in a unit already decided otherwise (decision {decided.Id}): change that decision first, or accept another version of the link.");
            ends.Add(plan.Accept(unit, unit.Versions.First(v => v.SpanId == spanId), null, owner));
        }
        plan.Link(link, version, ends[0], ends[1]);
    }

    private static string? NormaliseReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        var word = reason.Trim().ToLowerInvariant().Replace(' ', '_');
        return Reasons.Contains(word) ? word : throw ProblemException.BadRequest($"\"reason\" is one of {string.Join(", ", Reasons)}.");
    }

    /// <summary>
    /// Reads what a review of <paramref name="document"/> needs, in a handful of queries. Without
    /// <paramref name="records"/> the decisions come without their chosen, rejected and result JSON (an accept-all-agreed
    /// of a long article holds megabytes of it): enough to know which units are decided, which is all a decision, the
    /// queue and a state change ask; the review's view and a refusal's current state read them.
    /// <para>
    /// <paramref name="deciding"/>, a decision on one span unit, reads of the curated layer only the spans that start
    /// where the unit (and the span sent with it) lies: all a decision there looks up (whether the curated span it would
    /// make is already there). Reading the whole layer of a long article (thousands of rows) was most of a decision's
    /// time. Every decision of the document is still read, so a unit decided meanwhile is refused.
    /// </para>
    /// </summary>
    public async Task<Snapshot> SnapshotAsync(Document document, Names names, bool records = false, (string Action, DecisionRequest Request)? deciding = null,
        string? caller = null)
    {
        var documentId = document.Id;
        var full = document.Text.Length > 0 ? document : await db.Documents.AsNoTracking().FirstAsync(d => d.Id == documentId);
        // The annotators' spans and units are this node's copy while they are as they were read (see AnnotatorWorkCache).
        // A decision on one span unit checks the kept work where that unit lies (its versions all start there): a count
        // of the document's 25,000 spans was a quarter of such a decision's time. Anything else counts them all. The
        // state, the last change and the count come in one query: each round trip is a millisecond or more on a busy machine.
        var unitId = deciding?.Request.Unit;
        var candidate = unitId is null ? null : kept.Kept(documentId);
        var extent = unitId is null ? null : candidate?.Extent(unitId);
        var (from, to) = extent ?? (int.MinValue, int.MaxValue);
        var head = await db.Documents.AsNoTracking().Where(d => d.Id == documentId).Select(d => new
        {
            Curation = db.DocumentCurations.Where(c => c.DocumentId == d.Id).Select(c => new { c.State, c.UpdatedAt }).FirstOrDefault(),
            LastChange = db.ChangeEvents.Where(e => e.DocumentId == d.Id).Max(e => (long?)e.Sequence),
            Spans = db.Annotations.Count(a => a.DocumentId == d.Id && a.Origin != AnnotationOrigin.Curated && a.Start >= from && a.Start < to),
        }).FirstAsync();
        var state = head.Curation?.State ?? CurationState.NotStarted;
        var locked = head.Curation is not null && DocumentCuration.Locks(head.Curation.State);
        var token = new AnnotatorWorkCache.Token(state, head.Curation?.UpdatedAt ?? default, extent is null ? head.Spans : 0, locked ? 0 : head.LastChange ?? 0);
        AnnotatorWork? work;
        if (extent is { } e && kept.Peek(documentId, token) == candidate && candidate!.StartingIn(e.Start, e.End) == head.Spans)
            work = candidate;
        else
        {
            if (extent is not null) token = token with { Spans = await AnnotatorSpansAsync(documentId) };
            work = kept.Get(documentId, token);
        }
        List<Annotation>? curated = null;
        if (work is null)
        {
            var rows = await db.Annotations.AsNoTracking().Where(a => a.DocumentId == documentId).OrderBy(a => a.Start).ThenBy(a => a.End).ToListAsync();
            work = new AnnotatorWork(rows.Where(a => a.Origin != AnnotationOrigin.Curated).ToList());
            curated = rows.Where(a => a.Origin == AnnotationOrigin.Curated).ToList();
            if (token.Spans == work.Spans.Count) kept.Keep(documentId, token, work);
        }
        var states = await db.DocumentStates.AsNoTracking().Where(s => s.DocumentId == documentId).ToDictionaryAsync(s => s.UserId, s => s.Status);
        if (curated is null)
        {
            var query = db.Annotations.AsNoTracking().Where(a => a.DocumentId == documentId && a.Origin == AnnotationOrigin.Curated);
            if (deciding is { } d && Region(work, states, d.Action, d.Request) is { } region)
                query = query.Where(a => a.Start >= region.From && a.Start < region.To);
            curated = await query.OrderBy(a => a.Start).ThenBy(a => a.End).ToListAsync();
        }
        var links = await db.Relations.AsNoTracking().Include(r => r.From).Include(r => r.To)
            .Where(r => r.From!.DocumentId == documentId || r.To!.DocumentId == documentId).ToListAsync();
        var decided = db.CurationDecisions.AsNoTracking().Where(d => d.Documents.Contains(documentId)).OrderBy(d => d.Id);
        var decisions = records ? await decided.ToListAsync() : await decided.Select(d => new CurationDecision
        {
            Id = d.Id, ProjectId = d.ProjectId, DocumentId = d.DocumentId, Documents = d.Documents, ReviewerId = d.ReviewerId, DecidedAt = d.DecidedAt,
            Action = d.Action, Units = d.Units, Reason = d.Reason, Note = d.Note, UndoneAt = d.UndoneAt, UndoneById = d.UndoneById, RedoOf = d.RedoOf,
        }).ToListAsync();
        // Only a decision that names a label (an edit, a span of one's own) looks at the project's labels.
        var labels = deciding is { Action: not ("edit" or "add") } ? []
            : await db.LabelDefinitions.AsNoTracking().Where(l => l.ProjectId == document.ProjectId).ToListAsync();
        // The caller too: a reviewer's first decision on a document names them in its answer and its log entry.
        var people = work.Annotators.Concat(states.Keys).Concat(decisions.Select(d => d.ReviewerId)).Append(caller).OfType<string>().Distinct().ToList();
        var userNames = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName);
        return new Snapshot(full, work, curated, states, links, decisions, state, labels, names.With(userNames, work.Annotators));
    }

    private Task<int> AnnotatorSpansAsync(long documentId) => db.Annotations.CountAsync(a => a.DocumentId == documentId && a.Origin != AnnotationOrigin.Curated);

    /// <summary>
    /// Where the curated spans a decision on one span unit can meet start: the unit's extent, widened to the span sent
    /// with it (an edited or added span may reach beyond the unit). Null, meaning the whole layer, for a merge and for a
    /// link unit (its ends, and the curated spans that may already stand there, can be anywhere, in two articles).
    /// </summary>
    private static (int From, int To)? Region(AnnotatorWork work, Dictionary<string, DocumentStatus> states, string action, DecisionRequest request)
    {
        if (action == "accept-agreed") return null;
        ReviewUnit? unit = null;
        if (request.Unit is { } id)
        {
            var counted = ReviewUnits.Counted(work.Annotators, states.Where(s => s.Value == DocumentStatus.Finished).Select(s => s.Key));
            unit = work.Units(counted).ById.GetValueOrDefault(id);
            if (unit is null) return null;
        }
        var (from, to) = unit is null ? (int.MaxValue, int.MinValue) : (unit.Start, unit.End);
        if (request.Span is { Start: { } start, End: { } end })
            (from, to) = (Math.Min(from, start), Math.Max(to, end));
        return from < to ? (from, to) : null;
    }
}
