using System.Collections.Concurrent;

namespace Annotate.Web.Features.LiveSync;

public record PresentUser(string UserId, string Name);

/// <summary>
/// Who has which document open, on this app node. (With several nodes each knows its own connections;
/// presence is a courtesy, not data, so it is not written to the database.)
/// </summary>
public class Presence
{
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<string, PresentUser>> byDocument = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, byte>> byConnection = new();

    public IReadOnlyList<PresentUser> Join(long documentId, string connectionId, PresentUser user)
    {
        byDocument.GetOrAdd(documentId, _ => new())[connectionId] = user;
        byConnection.GetOrAdd(connectionId, _ => new())[documentId] = 0;
        return On(documentId);
    }

    public IReadOnlyList<PresentUser> Leave(long documentId, string connectionId)
    {
        if (byDocument.TryGetValue(documentId, out var connections)) connections.TryRemove(connectionId, out _);
        if (byConnection.TryGetValue(connectionId, out var documents)) documents.TryRemove(documentId, out _);
        return On(documentId);
    }

    /// <summary>Forgets a closed connection; returns the documents whose presence changed.</summary>
    public IReadOnlyList<long> Disconnect(string connectionId)
    {
        if (!byConnection.TryRemove(connectionId, out var documents)) return [];
        foreach (var documentId in documents.Keys)
            if (byDocument.TryGetValue(documentId, out var connections)) connections.TryRemove(connectionId, out _);
        return documents.Keys.ToList();
    }

    /// <summary>Distinct people on the document, in name order.</summary>
    public IReadOnlyList<PresentUser> On(long documentId) =>
        byDocument.TryGetValue(documentId, out var connections)
            ? connections.Values.DistinctBy(u => u.UserId).OrderBy(u => u.Name, StringComparer.OrdinalIgnoreCase).ToList()
            : [];
}
