using System.Collections.Concurrent;

namespace Annotate.Web.Features.LiveSync;

public record PresentUser(string UserId, string Name);

/// <summary>What one connection of this node is subscribed to, so a change of access can undo it.</summary>
public class Subscriptions(string userId)
{
    public string UserId { get; } = userId;
    /// <summary>Documents joined, with their project.</summary>
    public ConcurrentDictionary<long, long> Documents { get; } = new();
    /// <summary>Projects whose job progress this connection watches.</summary>
    public ConcurrentDictionary<long, byte> WatchedProjects { get; } = new();
}

/// <summary>
/// Who has which document open, on this app node, and what each connection subscribed to. (With several
/// nodes each knows its own connections; presence is a courtesy, not data, so it is not written to the
/// database; revoking access reaches every node through a notification, see LiveAccess.)
/// </summary>
public class Presence
{
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<string, PresentUser>> byDocument = new();
    private readonly ConcurrentDictionary<string, Subscriptions> byConnection = new();

    public IReadOnlyList<PresentUser> Join(long documentId, long projectId, string connectionId, PresentUser user)
    {
        byDocument.GetOrAdd(documentId, _ => new())[connectionId] = user;
        byConnection.GetOrAdd(connectionId, _ => new Subscriptions(user.UserId)).Documents[documentId] = projectId;
        return On(documentId);
    }

    public void WatchJobs(string connectionId, string userId, long projectId) =>
        byConnection.GetOrAdd(connectionId, _ => new Subscriptions(userId)).WatchedProjects[projectId] = 0;

    public IReadOnlyList<PresentUser> Leave(long documentId, string connectionId)
    {
        if (byDocument.TryGetValue(documentId, out var connections)) connections.TryRemove(connectionId, out _);
        if (byConnection.TryGetValue(connectionId, out var subscriptions)) subscriptions.Documents.TryRemove(documentId, out _);
        return On(documentId);
    }

    /// <summary>Forgets a closed connection; returns the documents whose presence changed.</summary>
    public IReadOnlyList<long> Disconnect(string connectionId)
    {
        if (!byConnection.TryRemove(connectionId, out var subscriptions)) return [];
        foreach (var documentId in subscriptions.Documents.Keys)
            if (byDocument.TryGetValue(documentId, out var connections)) connections.TryRemove(connectionId, out _);
        return subscriptions.Documents.Keys.ToList();
    }

    /// <summary>This node's connections of one person (or of everyone, for null) with their subscriptions.</summary>
    public IReadOnlyList<(string ConnectionId, Subscriptions Subscriptions)> ConnectionsOf(string? userId) =>
        byConnection.Where(c => userId is null || c.Value.UserId == userId).Select(c => (c.Key, c.Value)).ToList();

    /// <summary>Distinct people on the document, in name order.</summary>
    public IReadOnlyList<PresentUser> On(long documentId) =>
        byDocument.TryGetValue(documentId, out var connections)
            ? connections.Values.DistinctBy(u => u.UserId).OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase).ToList()
            : [];
}
