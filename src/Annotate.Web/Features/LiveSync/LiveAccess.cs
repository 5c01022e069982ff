using Microsoft.AspNetCore.SignalR;

namespace Annotate.Web.Features.LiveSync;

/// <summary>
/// Takes away live subscriptions when access changes. Hub groups are decided when a connection joins; a
/// member removed, a reviewer made annotator, or a project made blind must stop hearing what they may no
/// longer see at once, not at their next join. The change is announced with NOTIFY (so every app node
/// hears it, like changes); each node then removes its connections of that person (or of everyone in the
/// project) from the project's groups and tells the client, which joins again and is checked afresh.
/// Client method: AccessChanged(projectId).
/// </summary>
public class LiveAccess(IHubContext<AnnotationHub> hub, Presence presence, ILogger<LiveAccess> logger)
{
    public const string Channel = "annotate_access";

    /// <summary>Announces, after the change is committed, that access to the project changed for one person (or everyone).</summary>
    public static async Task AnnounceAsync(AppDbContext db, long projectId, string? userId) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {$"{projectId}:{userId ?? "*"}"})");

    /// <summary>Handles a notification payload "project:user" (user "*" for everyone in the project).</summary>
    public async Task RevokeAsync(string payload)
    {
        var separator = payload.IndexOf(':');
        if (separator < 0 || !long.TryParse(payload[..separator], out var projectId)) return;
        var userId = payload[(separator + 1)..];
        try { await RevokeAsync(projectId, userId == "*" ? null : userId); }
        catch (Exception error) { logger.LogWarning(error, "Revoking live subscriptions for project {ProjectId} failed", projectId); }
    }

    public async Task RevokeAsync(long projectId, string? userId)
    {
        foreach (var (connectionId, subscriptions) in presence.ConnectionsOf(userId))
        {
            var touched = false;
            foreach (var (documentId, documentProject) in subscriptions.Documents)
            {
                if (documentProject != projectId) continue;
                touched = true;
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.PersonGroup(documentId, subscriptions.UserId));
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.EveryoneGroup(documentId));
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.DocumentGroup(documentId));
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.AnonymousGroup(documentId));
                await presence.LeaveAsync(documentId, connectionId);
            }
            if (subscriptions.WatchedProjects.TryRemove(projectId, out _))
            {
                touched = true;
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.JobsGroup(projectId));
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.WorkGroup(projectId));
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.AnonymousWorkGroup(projectId));
                await hub.Groups.RemoveFromGroupAsync(connectionId, AnnotationHub.OwnWorkGroup(projectId, subscriptions.UserId));
            }
            if (touched) await hub.Clients.Client(connectionId).SendAsync("AccessChanged", projectId);
        }
    }
}
