using System.Collections.Concurrent;
using Npgsql;

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
/// Who has which document open, across every app node, and what each of this node's connections subscribed to.
/// The subscriptions are this node's own (only it can take its connections out of groups). Who is on a document
/// is shared: one row per connection and document in PostgreSQL (an unlogged table: a courtesy, not data), and
/// every change of it is announced with NOTIFY, on which each node sends the new list to its own connections
/// there (ChangeBroadcaster). A node renews its rows' expiry every few seconds; rows of a node that died
/// expire and are removed by whichever node notices first.
/// </summary>
public sealed class Presence : IAsyncDisposable
{
    public const string Channel = "annotate_presence";

    private readonly ConcurrentDictionary<string, Subscriptions> byConnection = new();
    private readonly Lazy<NpgsqlDataSource> database;

    public Presence(IServiceProvider services, IConfiguration configuration)
    {
        // A pool of its own, capped (Live:PresenceConnections): a burst of joins (a class opening one article) queues here
        // instead of taking the connections that writes and the broadcaster need.
        var maxConnections = Math.Max(1, configuration.GetValue("Live:PresenceConnections", 4));
        database = new(() =>
        {
            var builder = new NpgsqlDataSourceBuilder(DatabaseSetup.ConnectionString(services)) { Name = "presence" };
            builder.ConnectionStringBuilder.MaxPoolSize = maxConnections;
            builder.ConnectionStringBuilder.MinPoolSize = Math.Min(builder.ConnectionStringBuilder.MinPoolSize, maxConnections);
            return builder.Build();
        });
        HeartbeatEvery = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Live:PresenceHeartbeatSeconds", 10)));
        // Three missed heartbeats: a slow node is not taken for a dead one.
        ExpireAfter = HeartbeatEvery * 3;
    }

    /// <summary>This process, as the owner of its rows.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("n");

    public TimeSpan HeartbeatEvery { get; }
    public TimeSpan ExpireAfter { get; }

    public async Task<IReadOnlyList<PresentUser>> JoinAsync(long documentId, long projectId, string connectionId, PresentUser user)
    {
        byConnection.GetOrAdd(connectionId, _ => new Subscriptions(user.UserId)).Documents[documentId] = projectId;
        await ExecuteAsync("""
            INSERT INTO live_presence (connection_id, document_id, node_id, user_id, name, expires_at)
            VALUES ($1, $2, $3, $4, $5, now() + $6)
            ON CONFLICT (connection_id, document_id) DO UPDATE SET name = excluded.name, expires_at = excluded.expires_at;
            """, connectionId, documentId, NodeId, user.UserId, user.Name, ExpireAfter);
        await AnnounceAsync([documentId]);
        return await OnAsync(documentId);
    }

    public void WatchJobs(string connectionId, string userId, long projectId) =>
        byConnection.GetOrAdd(connectionId, _ => new Subscriptions(userId)).WatchedProjects[projectId] = 0;

    public async Task LeaveAsync(long documentId, string connectionId)
    {
        if (byConnection.TryGetValue(connectionId, out var subscriptions)) subscriptions.Documents.TryRemove(documentId, out _);
        await ExecuteAsync("DELETE FROM live_presence WHERE connection_id = $1 AND document_id = $2", connectionId, documentId);
        await AnnounceAsync([documentId]);
    }

    /// <summary>Forgets a closed connection, here and in the shared list.</summary>
    public async Task DisconnectAsync(string connectionId)
    {
        if (!byConnection.TryRemove(connectionId, out var subscriptions) || subscriptions.Documents.IsEmpty) return;
        await ExecuteAsync("DELETE FROM live_presence WHERE connection_id = $1", connectionId);
        await AnnounceAsync(subscriptions.Documents.Keys.ToArray());
    }

    /// <summary>This node's connections of one person (or of everyone, for null) with their subscriptions.</summary>
    public IReadOnlyList<(string ConnectionId, Subscriptions Subscriptions)> ConnectionsOf(string? userId) =>
        byConnection.Where(c => userId is null || c.Value.UserId == userId).Select(c => (c.Key, c.Value)).ToList();

    /// <summary>Whether any connection of this node has the document open (else its news is for other nodes).</summary>
    public bool IsOpenHere(long documentId) => byConnection.Values.Any(s => s.Documents.ContainsKey(documentId));

    /// <summary>Distinct people on the document on any node, in name order.</summary>
    public async Task<IReadOnlyList<PresentUser>> OnAsync(long documentId)
    {
        await using var command = database.Value.CreateCommand(
            "SELECT DISTINCT user_id, name FROM live_presence WHERE document_id = $1 AND expires_at > now()");
        command.Parameters.Add(new() { Value = documentId });
        var people = new List<PresentUser>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) people.Add(new PresentUser(reader.GetString(0), reader.GetString(1)));
        return people.DistinctBy(p => p.UserId).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Renews this node's rows and removes expired ones (of any node), announcing the documents they were on.</summary>
    public async Task HeartbeatAsync(CancellationToken stop)
    {
        await ExecuteAsync("UPDATE live_presence SET expires_at = now() + $2 WHERE node_id = $1", NodeId, ExpireAfter);
        await using var command = database.Value.CreateCommand($"""
            WITH gone AS (DELETE FROM live_presence WHERE expires_at <= now() RETURNING document_id)
            SELECT pg_notify('{Channel}', document_id::text) FROM (SELECT DISTINCT document_id FROM gone) d
            """);
        await command.ExecuteNonQueryAsync(stop);
    }

    /// <summary>At a normal stop this node's rows go at once, not after they expire.</summary>
    public async Task ForgetNodeAsync()
    {
        // Where the services are disposed before the heartbeat's stop calls here (the bench's and the tests' hosts), there is
        // no connection left to remove them with; the rows expire by themselves.
        if (disposed) return;
        await using var command = database.Value.CreateCommand($"""
            WITH gone AS (DELETE FROM live_presence WHERE node_id = $1 RETURNING document_id)
            SELECT pg_notify('{Channel}', document_id::text) FROM (SELECT DISTINCT document_id FROM gone) d
            """);
        command.Parameters.Add(new() { Value = NodeId });
        await command.ExecuteNonQueryAsync();
    }

    private async Task AnnounceAsync(long[] documentIds)
    {
        await using var command = database.Value.CreateCommand($"SELECT pg_notify('{Channel}', d::text) FROM unnest($1::bigint[]) d");
        command.Parameters.Add(new() { Value = documentIds });
        await command.ExecuteNonQueryAsync();
    }

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var command = database.Value.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync();
    }

    private volatile bool disposed;

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        if (database.IsValueCreated) await database.Value.DisposeAsync();
    }
}

/// <summary>Keeps this node's presence rows alive, sweeps those of dead nodes, and removes its own at a normal stop.</summary>
public sealed class PresenceHeartbeat(Presence presence, ILogger<PresenceHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(presence.HeartbeatEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try { await presence.HeartbeatAsync(stop); }
                catch (Exception error) when (!stop.IsCancellationRequested)
                {
                    logger.LogWarning(error, "Renewing presence failed; retrying at the next beat");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await presence.ForgetNodeAsync(); }
        catch (Exception error) { logger.LogWarning(error, "Removing this node's presence at stop failed; it expires by itself"); }
    }
}
