using System.Collections.Concurrent;
using System.Threading.Channels;
using Annotate.Web.Features.Annotations;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace Annotate.Web.Features.LiveSync;

/// <summary>
/// Sends committed changes to this node's connections, in log order. Every node LISTENs for the NOTIFY that
/// a writer's transaction sends on commit, then reads the log after the last sequence it sent for that
/// project: the log, not the notification, is the truth, so a missed or late notification only delays.
/// A catch-up every few seconds closes any gap (a dropped LISTEN connection, say).
/// A change written on this node is also handed over here by its writer right after its commit
/// (<see cref="Committed"/>): when it follows the last one sent it goes out at once, without waiting for the
/// notification and reading the log back (two round trips and a wake-up on the critical path of every push); its
/// notification, which often arrives first, is let pass (see <see cref="Committing"/>). Anything out of order, and a
/// project's first change on this node, go by the notification and the log.
/// A send here only puts the event in each recipient connection's own queue (QueuedHubLifetimeManager), so a
/// connection that reads slowly delays no other connection and no other document.
/// </summary>
public class ChangeBroadcaster(IServiceProvider services, IHubContext<AnnotationHub> hub, LiveAccess liveAccess, Presence presence, ILogger<ChangeBroadcaster> logger) : BackgroundService
{
    private static readonly TimeSpan CatchUpEvery = TimeSpan.FromSeconds(3);

    /// <summary>What the send loop is told: a notification, a change committed here, a project whose access changed, or a catch-up.</summary>
    private readonly record struct Due(long Project, long Sequence, IReadOnlyList<ChangeEvent>? Events = null, bool AccessChanged = false)
    {
        public static readonly Due CatchUp = new(0, 0);
    }

    private readonly Channel<Due> notified = Channel.CreateUnbounded<Due>(new() { SingleReader = true });
    // Written only by the send loop; the notification handler reads which projects it has sent.
    private readonly ConcurrentDictionary<long, long> lastSent = [];
    // Only touched by the send loop.
    private readonly Dictionary<long, Audience> audiences = [];
    // Changes this node's writers are committing now (project, first sequence). PostgreSQL delivers a NOTIFY as it
    // commits, often before the writer has its answer: such a notification needs no read of the log, since the
    // writer hands the change over itself an instant later (Committed), or says it may have failed (Unsure).
    private readonly ConcurrentDictionary<(long Project, long First), bool> committing = new();

    /// <summary>
    /// Who hears a project's changes: its visibility and assignment mode, and anonymous reviewers' naming. Kept
    /// between pushes (read once, not twice per push) and forgotten when the project's access changes (the same
    /// notification that takes away live subscriptions, see LiveAccess) or someone not yet numbered appears.
    /// </summary>
    private sealed record Audience(Visibility Visibility, AssignmentMode Assignment, Curation.Names? Anonymous);

    /// <summary>Called by the change log just before it commits entries of its own transaction.</summary>
    public void Committing(long project, IReadOnlyList<ChangeEvent> events)
    {
        if (events.Count > 0) committing[(project, events[0].Sequence)] = true;
    }

    /// <summary>Called by the change log after a write of its own transaction committed: the entries, in sequence order.</summary>
    public void Committed(long project, IReadOnlyList<ChangeEvent> events)
    {
        if (events.Count == 0) return;
        notified.Writer.TryWrite(new(project, events[0].Sequence, events));
        committing.TryRemove((project, events[0].Sequence), out _);
    }

    /// <summary>
    /// Called by the change log when a commit it announced failed without saying whether it happened (the connection
    /// broke, say): the log is read from there, as a notification would have it.
    /// </summary>
    public void Unsure(long project, IReadOnlyList<ChangeEvent> events)
    {
        if (events.Count == 0) return;
        committing.TryRemove((project, events[0].Sequence), out _);
        notified.Writer.TryWrite(new(project, events[0].Sequence));
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var sending = SendLoopAsync(stop);
        while (!stop.IsCancellationRequested)
        {
            try { await ListenAsync(stop); }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception error)
            {
                logger.LogWarning(error, "Listening for changes failed; retrying (clients catch up from the log meanwhile)");
                try { await Task.Delay(TimeSpan.FromSeconds(2), stop); } catch (OperationCanceledException) { }
            }
        }
        notified.Writer.TryComplete();
        await sending;
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(DatabaseSetup.ConnectionString(services));
        await connection.OpenAsync(stop);
        connection.Notification += (_, e) =>
        {
            if (e.Channel == LiveAccess.Channel)
            {
                if (long.TryParse(e.Payload.Split(':')[0], out var changed)) notified.Writer.TryWrite(new(changed, 0, AccessChanged: true));
                _ = liveAccess.RevokeAsync(e.Payload);
                return;
            }
            if (e.Channel == JobProgressFeed.Channel) { _ = ForwardJobProgressAsync(e.Payload); return; }
            if (e.Channel == Presence.Channel) { _ = SendPresenceAsync(e.Payload); return; }
            var parts = e.Payload.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var project) && long.TryParse(parts[1], out var sequence)
                // A project's first change here still goes by its notification (see SendCommittedAsync).
                && !(committing.ContainsKey((project, sequence)) && lastSent.ContainsKey(project)))
                notified.Writer.TryWrite(new(project, sequence));
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {ChangeLog.Channel}; LISTEN {LiveAccess.Channel}; LISTEN {JobProgressFeed.Channel}; LISTEN {Presence.Channel}", connection)) await listen.ExecuteNonQueryAsync(stop);
        // Anything committed, and any access changed, while we were not listening.
        notified.Writer.TryWrite(new(0, 0, AccessChanged: true));
        notified.Writer.TryWrite(Due.CatchUp);
        while (!stop.IsCancellationRequested)
        {
            if (!await connection.WaitAsync(CatchUpEvery, stop)) notified.Writer.TryWrite(Due.CatchUp);
        }
    }

    /// <summary>A job's progress (published by whichever node runs it) to this node's managers watching the project.</summary>
    private async Task ForwardJobProgressAsync(string payload)
    {
        if (JobProgressFeed.Parse(payload) is not { } progress) { logger.LogWarning("Ignored a malformed job progress notification"); return; }
        try { await hub.Clients.Group(AnnotationHub.JobsGroup(progress.ProjectId)).SendAsync("JobProgress", progress.Report); }
        catch (Exception error) { logger.LogWarning(error, "Forwarding job progress failed; pages fall back to polling"); }
    }

    /// <summary>Who is on a document now (a join, leave or expiry on any node), to this node's connections there.</summary>
    private async Task SendPresenceAsync(string payload)
    {
        if (!long.TryParse(payload, out var documentId) || !presence.IsOpenHere(documentId)) return;
        try
        {
            var people = await presence.OnAsync(documentId);
            await hub.Clients.Group(AnnotationHub.DocumentGroup(documentId)).SendAsync("Presence", documentId, people);
            using var scope = services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var projectId = await db.Documents.Where(d => d.Id == documentId).Select(d => d.ProjectId).FirstOrDefaultAsync();
            var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId);
            if (project is { AnonymousCuration: true })
                await hub.Clients.Group(AnnotationHub.AnonymousGroup(documentId))
                    .SendAsync("Presence", documentId, (await Curation.Names.ForAsync(db, project, ProjectRole.Reviewer)).Rename(people));
        }
        catch (Exception error) { logger.LogWarning(error, "Sending presence of document {DocumentId} failed", documentId); }
    }

    private async Task SendLoopAsync(CancellationToken stop)
    {
        try
        {
            while (await notified.Reader.WaitToReadAsync(stop))
            {
                var due = new Dictionary<long, long>();
                var committed = new List<Due>();
                var catchUp = false;
                while (notified.Reader.TryRead(out var item))
                {
                    if (item.AccessChanged && item.Project == 0) audiences.Clear();
                    else if (item.AccessChanged) audiences.Remove(item.Project);
                    else if (item.Project == 0) catchUp = true;
                    else if (item.Events is not null) committed.Add(item);
                    else if (!due.TryGetValue(item.Project, out var seen) || item.Sequence < seen) due[item.Project] = item.Sequence;
                }
                try
                {
                    using var scope = services.CreateScope();
                    var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                    foreach (var change in committed)
                        if (!await SendCommittedAsync(db, change, stop) && (!due.TryGetValue(change.Project, out var seen) || change.Sequence < seen))
                            due[change.Project] = change.Sequence;
                    if (catchUp) await AddLaggingProjectsAsync(db, due, stop);
                    foreach (var (project, firstNotified) in due)
                        // A notification of what was sent already (handed over by its writer here) needs no read.
                        if (!lastSent.TryGetValue(project, out var sent) || firstNotified > sent) await SendAfterAsync(db, project, firstNotified, stop);
                }
                catch (Exception error) when (!stop.IsCancellationRequested)
                {
                    logger.LogWarning(error, "Broadcasting changes failed; the next catch-up retries");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>
    /// Sends a change committed on this node from memory when it is next in its project's order; says false when
    /// changes before it are still unsent, which the log then supplies in order.
    /// </summary>
    private async Task<bool> SendCommittedAsync(AppDbContext db, Due change, CancellationToken stop)
    {
        var events = change.Events!;
        // A project this node has not sent yet starts where its first notification says: notifications come in commit
        // order, so another node's change committed just before this one is not skipped. This one comes with it.
        if (!lastSent.TryGetValue(change.Project, out var sent)) return true;
        if (events[^1].Sequence <= sent) return true; // the log had it already
        if (events[0].Sequence != sent + 1) return false;
        if (await AudienceAsync(db, change.Project, events, stop) is not { } audience) return true; // the project is gone
        await SendAsync(change.Project, events, audience, stop);
        return true;
    }

    private async Task<Audience?> AudienceAsync(AppDbContext db, long project, IReadOnlyList<ChangeEvent> events, CancellationToken stop)
    {
        // Someone's first work in the project gives them a number: the reviewers' naming is read again.
        if (audiences.TryGetValue(project, out var known) && (known.Anonymous is null || events.All(e => known.Anonymous.Knows(e.OwnerId))))
            return known;
        var settings = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == project, stop);
        if (settings is null)
        {
            audiences.Remove(project);
            lastSent.TryRemove(project, out _);
            return null;
        }
        // Anonymous reviewers (AnnotationHub.AnonymousGroup) see everyone's work, renamed "Annotator n": one more send per document.
        var anonymous = settings.AnonymousCuration ? await Curation.Names.ForAsync(db, settings, ProjectRole.Reviewer) : null;
        return audiences[project] = new Audience(settings.Visibility, settings.Assignment, anonymous);
    }

    private async Task AddLaggingProjectsAsync(AppDbContext db, Dictionary<long, long> due, CancellationToken stop)
    {
        if (lastSent.Count == 0) return;
        var known = lastSent.Keys.ToList();
        var heads = await db.ProjectSequences.AsNoTracking().Where(s => known.Contains(s.ProjectId)).ToListAsync(stop);
        foreach (var head in heads)
            if (head.LastSequence > lastSent[head.ProjectId] && !due.ContainsKey(head.ProjectId)) due[head.ProjectId] = lastSent[head.ProjectId] + 1;
    }

    private async Task SendAfterAsync(AppDbContext db, long project, long firstNotified, CancellationToken stop)
    {
        // A project first heard of now: what came before this notification was committed before we listened,
        // and clients fetch that themselves when they join.
        var after = lastSent.TryGetValue(project, out var sent) ? sent : firstNotified - 1;
        while (true)
        {
            var batch = await db.ChangeEvents.AsNoTracking()
                .Where(e => e.ProjectId == project && e.Sequence > after)
                .OrderBy(e => e.Sequence).Take(500).ToListAsync(stop);
            if (batch.Count == 0) return;
            if (await AudienceAsync(db, project, batch, stop) is not { } audience) return;
            await SendAsync(project, batch, audience, stop);
            after = batch[^1].Sequence;
            if (batch.Count < 500) return;
        }
    }

    /// <summary>Puts each change in its recipients' send queues, in order, and remembers the last one sent.</summary>
    private async Task SendAsync(long project, IReadOnlyList<ChangeEvent> events, Audience audience, CancellationToken stop)
    {
        foreach (var change in events)
        {
            var view = ChangeEventView.Of(change);
            await hub.Clients.Groups(Recipients(change, audience.Visibility, audience.Assignment)).SendAsync("Changed", view, stop);
            if (audience.Anonymous is { } anonymous && (change.DocumentId is not null || IsWork(change)))
            {
                var groups = new[] { change.DocumentId, change.OtherDocumentId }.OfType<long>().Select(AnnotationHub.AnonymousGroup).ToList();
                if (IsWork(change)) groups.Add(AnnotationHub.AnonymousWorkGroup(project));
                await hub.Clients.Groups(groups).SendAsync("Changed", anonymous.Rename(view), stop);
            }
            lastSent[project] = change.Sequence;
        }
    }

    private static bool IsWork(ChangeEvent change) =>
        change.Kind is ChangeKind.AssignmentAdded or ChangeKind.AssignmentRemoved or ChangeKind.DocumentStateChanged;

    /// <summary>Open projects: everyone on the document. Blind: the owner and those who see everyone's work.</summary>
    private static List<string> Recipients(ChangeEvent change, Visibility visibility, AssignmentMode assignment)
    {
        var groups = new List<string>(6);
        // Assignments and states also reach the work pages: managers' and reviewers' of the project, and the person's own.
        if (IsWork(change))
        {
            groups.Add(AnnotationHub.WorkGroup(change.ProjectId));
            groups.Add(AnnotationHub.OwnWorkGroup(change.ProjectId, change.OwnerId));
        }
        foreach (var document in new[] { change.DocumentId, change.OtherDocumentId })
        {
            if (document is not { } id) continue;
            // A link across two documents, in a project where annotators open only their own: someone on one of them may
            // not open the other, so only its owner and those who see everything hear it live (the rest on reload,
            // where the reader shows a link only to those who may open both ends).
            var crossesDocuments = change.OtherDocumentId is not null && assignment != AssignmentMode.Free;
            // A document renamed or deleted concerns everyone on it, in blind projects too (it carries no one's work).
            if (visibility == Visibility.Open && !crossesDocuments || change.Kind is ChangeKind.DocumentRenamed or ChangeKind.DocumentDeleted) groups.Add(AnnotationHub.DocumentGroup(id));
            else
            {
                groups.Add(AnnotationHub.EveryoneGroup(id));
                groups.Add(AnnotationHub.PersonGroup(id, change.OwnerId));
            }
        }
        return groups;
    }
}
