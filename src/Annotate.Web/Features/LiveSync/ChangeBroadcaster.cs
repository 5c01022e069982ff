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
/// A send here only puts the event in each recipient connection's own queue (QueuedHubLifetimeManager), so a
/// connection that reads slowly delays no other connection and no other document.
/// </summary>
public class ChangeBroadcaster(IServiceProvider services, IHubContext<AnnotationHub> hub, LiveAccess liveAccess, Presence presence, ILogger<ChangeBroadcaster> logger) : BackgroundService
{
    private static readonly TimeSpan CatchUpEvery = TimeSpan.FromSeconds(3);

    /// <summary>(project, sequence) from notifications; (0, 0) asks for a catch-up of every known project.</summary>
    private readonly Channel<(long Project, long Sequence)> notified = Channel.CreateUnbounded<(long, long)>(new() { SingleReader = true });
    private readonly Dictionary<long, long> lastSent = [];

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
            if (e.Channel == LiveAccess.Channel) { _ = liveAccess.RevokeAsync(e.Payload); return; }
            if (e.Channel == JobProgressFeed.Channel) { _ = ForwardJobProgressAsync(e.Payload); return; }
            if (e.Channel == Presence.Channel) { _ = SendPresenceAsync(e.Payload); return; }
            var parts = e.Payload.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var project) && long.TryParse(parts[1], out var sequence))
                notified.Writer.TryWrite((project, sequence));
        };
        await using (var listen = new NpgsqlCommand($"LISTEN {ChangeLog.Channel}; LISTEN {LiveAccess.Channel}; LISTEN {JobProgressFeed.Channel}; LISTEN {Presence.Channel}", connection)) await listen.ExecuteNonQueryAsync(stop);
        notified.Writer.TryWrite((0, 0)); // anything committed while we were not listening
        while (!stop.IsCancellationRequested)
        {
            if (!await connection.WaitAsync(CatchUpEvery, stop)) notified.Writer.TryWrite((0, 0));
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
                var catchUp = false;
                while (notified.Reader.TryRead(out var item))
                {
                    if (item.Project == 0) catchUp = true;
                    else if (!due.TryGetValue(item.Project, out var seen) || item.Sequence < seen) due[item.Project] = item.Sequence;
                }
                try
                {
                    using var scope = services.CreateScope();
                    var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                    if (catchUp) await AddLaggingProjectsAsync(db, due, stop);
                    foreach (var (project, firstNotified) in due) await SendAfterAsync(db, project, firstNotified, stop);
                }
                catch (Exception error) when (!stop.IsCancellationRequested)
                {
                    logger.LogWarning(error, "Broadcasting changes failed; the next catch-up retries");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
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
        var settings = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == project, stop);
        if (settings is null) { lastSent.Remove(project); return; }
        // Anonymous reviewers (AnnotationHub.AnonymousGroup) see everyone's work, renamed "Annotator n": one more send per document.
        var anonymous = settings.AnonymousCuration ? await Curation.Names.ForAsync(db, settings, ProjectRole.Reviewer) : null;
        while (true)
        {
            var batch = await db.ChangeEvents.AsNoTracking()
                .Where(e => e.ProjectId == project && e.Sequence > after)
                .OrderBy(e => e.Sequence).Take(500).ToListAsync(stop);
            foreach (var change in batch)
            {
                var view = ChangeEventView.Of(change);
                await hub.Clients.Groups(Recipients(change, settings.Visibility, settings.Assignment)).SendAsync("Changed", view, stop);
                if (anonymous is not null && (change.DocumentId is not null || IsWork(change)))
                {
                    var groups = new[] { change.DocumentId, change.OtherDocumentId }.OfType<long>().Select(AnnotationHub.AnonymousGroup).ToList();
                    if (IsWork(change)) groups.Add(AnnotationHub.AnonymousWorkGroup(project));
                    await hub.Clients.Groups(groups).SendAsync("Changed", anonymous.Rename(view), stop);
                }
                after = change.Sequence;
            }
            lastSent[project] = after;
            if (batch.Count < 500) return;
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
