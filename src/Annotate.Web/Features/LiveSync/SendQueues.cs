using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Annotate.Web.Features.LiveSync;

/// <summary>
/// SignalR's own lifetime manager with one bounded send queue per connection. SignalR's default awaits every
/// recipient's write before a group send completes, so one connection that reads slowly (a phone on a bad network,
/// a stalled tab) holds back the broadcaster, and with it every document's pushes on this node. Here a push to a
/// group or a connection only enqueues, and each connection's own loop writes its queue in order. A connection whose
/// queue overflows (<c>Live:SendQueueLength</c> pushes waiting) is closed: its client reconnects and catches up from
/// the change log by sequence, as after any cut, instead of holding the others back.
/// Groups are kept here (not in the base class), so every group send goes through the queues.
/// </summary>
public sealed class QueuedHubLifetimeManager<THub> : DefaultHubLifetimeManager<THub> where THub : Hub
{
    private readonly int capacity;
    private readonly ILogger<QueuedHubLifetimeManager<THub>> logger;
    private readonly Dictionary<string, Outbox> outboxes = [];
    private readonly Dictionary<string, HashSet<Outbox>> groups = [];
    /// <summary>Guards both maps: joins and leaves are rare beside sends, which only read under it briefly.</summary>
    private readonly Lock gate = new();

    public QueuedHubLifetimeManager(ILogger<DefaultHubLifetimeManager<THub>> baseLogger, ILogger<QueuedHubLifetimeManager<THub>> logger, IConfiguration configuration)
        : base(baseLogger)
    {
        this.logger = logger;
        capacity = Math.Max(1, configuration.GetValue("Live:SendQueueLength", 2000));
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var outbox = new Outbox(connection, capacity);
        lock (gate) outboxes[connection.ConnectionId] = outbox;
        _ = outbox.DrainAsync();
        await base.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        lock (gate)
        {
            if (outboxes.Remove(connection.ConnectionId, out var outbox))
            {
                foreach (var group in outbox.Groups) Leave(group, outbox);
                outbox.Close();
            }
        }
        await base.OnDisconnectedAsync(connection);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!outboxes.TryGetValue(connectionId, out var outbox)) return Task.CompletedTask; // gone already (or on another node)
            if (!groups.TryGetValue(groupName, out var members)) groups[groupName] = members = [];
            members.Add(outbox);
            outbox.Groups.Add(groupName);
        }
        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (outboxes.TryGetValue(connectionId, out var outbox) && outbox.Groups.Remove(groupName)) Leave(groupName, outbox);
        }
        return Task.CompletedTask;
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendGroupsAsync([groupName], methodName, args, cancellationToken);

    /// <summary>Each connection once, even when it is in several of the groups (a reviewer is in a document's "all" and own groups).</summary>
    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Enqueue(methodName, args, () => groupNames.SelectMany(g => groups.TryGetValue(g, out var members) ? members : []));

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        Enqueue(methodName, args, () => (groups.TryGetValue(groupName, out var members) ? members : []).Where(o => !excludedConnectionIds.Contains(o.Connection.ConnectionId)));

    /// <summary>Pushes to one connection queue behind its group pushes, so they arrive in the order they were sent.</summary>
    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendConnectionsAsync([connectionId], methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Enqueue(methodName, args, () => connectionIds.Select(id => outboxes.GetValueOrDefault(id)).OfType<Outbox>());

    private Task Enqueue(string methodName, object?[] args, Func<IEnumerable<Outbox>> recipients)
    {
        Outbox[] targets;
        lock (gate) targets = recipients().Distinct().ToArray();
        if (targets.Length == 0) return Task.CompletedTask;
        // Serialized once per protocol for all recipients, not once per connection.
        var message = new SerializedHubMessage(new InvocationMessage(methodName, args));
        foreach (var outbox in targets)
        {
            if (outbox.TryEnqueue(message)) continue;
            logger.LogWarning("Closing live connection {ConnectionId}: {Capacity} pushes waited for it to read; its client catches up from the log when it reconnects",
                outbox.Connection.ConnectionId, capacity);
            outbox.Overflowed();
        }
        return Task.CompletedTask;
    }

    private void Leave(string groupName, Outbox outbox)
    {
        if (groups.TryGetValue(groupName, out var members) && members.Remove(outbox) && members.Count == 0) groups.Remove(groupName);
    }

    /// <summary>One connection's pushes, written in order by its own loop.</summary>
    private sealed class Outbox(HubConnectionContext connection, int capacity)
    {
        private readonly Channel<SerializedHubMessage> queue = Channel.CreateBounded<SerializedHubMessage>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public HubConnectionContext Connection { get; } = connection;
        /// <summary>Groups this connection is in (guarded by the manager's lock).</summary>
        public HashSet<string> Groups { get; } = [];

        private volatile bool closed;

        /// <summary>False only when the queue is full; a closed connection takes (and drops) what comes.</summary>
        public bool TryEnqueue(SerializedHubMessage message) => closed || queue.Writer.TryWrite(message);

        public void Overflowed()
        {
            closed = true;
            if (queue.Writer.TryComplete()) Connection.Abort();
        }

        public void Close()
        {
            closed = true;
            queue.Writer.TryComplete();
        }

        public async Task DrainAsync()
        {
            try
            {
                await foreach (var message in queue.Reader.ReadAllAsync(Connection.ConnectionAborted))
                    await Connection.WriteAsync(message, Connection.ConnectionAborted);
            }
            catch (OperationCanceledException) { } // the connection closed: what is left is for its reconnect to fetch
            catch (Exception) { Connection.Abort(); } // a write failed: the transport is broken, the client reconnects
        }
    }
}
