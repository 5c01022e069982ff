using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// A SignalR client that behaves like the page: it joins documents, applies pushed events in sequence order,
/// skips what it already applied, and after an automatic reconnect asks for everything after the last
/// sequence it applied. Its state (annotations and relations by id) can be compared with the server's.
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly object gate = new();
    private readonly HashSet<long> documents = [];
    private readonly List<JsonElement> buffered = [];
    private readonly HashSet<long> seen = [];
    private bool joining;

    public HubConnection Hub { get; }
    /// <summary>The client's WebSockets, newest last, so a test can cut one as a network failure would.</summary>
    public List<ClientWebSocket> Sockets { get; } = [];
    public long LastSequence { get; private set; }
    /// <summary>Sequences in the order they were applied.</summary>
    public List<long> Applied { get; } = [];
    public int SkippedRepeats { get; private set; }
    public Dictionary<Guid, JsonElement> Annotations { get; } = [];
    /// <summary>Every change applied, in order (kinds this client does not model, such as curation_decided, too).</summary>
    public List<JsonElement> Changes { get; } = [];
    public Dictionary<Guid, JsonElement> Relations { get; } = [];
    public List<JsonElement> PresenceUpdates { get; } = [];
    public List<JsonElement> JobProgress { get; } = [];
    /// <summary>Projects the server said our access to changed (AccessChanged).</summary>
    public List<long> AccessChanges { get; } = [];
    /// <summary>Every event applied, in order of arrival: its kind and data.</summary>
    public List<(string Kind, JsonElement Data)> Events { get; } = [];

    private LiveClient(string baseUrl, string token)
    {
        // The official client over WebSockets only (as the page), the token in the query as browsers must send it.
        var hubAddress = new Uri(baseUrl.TrimEnd('/') + "/hubs/annotations?access_token=" + Uri.EscapeDataString(token));
        Hub = new HubConnectionBuilder()
            .WithUrl(hubAddress, HttpTransportType.WebSockets, options =>
            {
                options.SkipNegotiation = true;
                // The client's own socket, only remembered: a test aborts it to cut the connection from this side.
                options.WebSocketFactory = async (context, cancel) =>
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(context.Uri, cancel);
                    lock (Sockets) Sockets.Add(socket);
                    return socket;
                };
            })
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)])
            .Build();
        Hub.On<JsonElement>("Changed", OnChanged);
        Hub.On<long, JsonElement>("Presence", (_, people) => { lock (gate) PresenceUpdates.Add(people); });
        Hub.On<JsonElement>("JobProgress", progress => { lock (gate) JobProgress.Add(progress); });
        Hub.On<long>("AccessChanged", project => { lock (gate) AccessChanges.Add(project); });
        Hub.Reconnected += async _ =>
        {
            long[] joined;
            lock (gate) joined = documents.ToArray();
            foreach (var document in joined) await JoinAsync(document);
        };
    }

    public static async Task<LiveClient> ConnectAsync(string baseUrl, string token)
    {
        var client = new LiveClient(baseUrl, token);
        await client.Hub.StartAsync();
        return client;
    }

    public async Task<JsonElement> JoinAsync(long documentId)
    {
        long after;
        // A document joined before (a reconnect) continues after the last sequence applied; a new one starts from 0.
        lock (gate) { joining = true; after = documents.Add(documentId) ? 0 : LastSequence; }
        try
        {
            var result = await Hub.InvokeAsync<JsonElement>("JoinDocument", documentId, after);
            lock (gate)
            {
                foreach (var change in result.GetProperty("events").EnumerateArray()) Apply(change);
                LastSequence = Math.Max(LastSequence, result.GetProperty("lastSequence").GetInt64());
                foreach (var change in buffered) Apply(change);
                buffered.Clear();
            }
            return result;
        }
        finally { lock (gate) joining = false; }
    }

    public Task<JsonElement> CallAsync(string method, params object?[] arguments) => Hub.InvokeCoreAsync<JsonElement>(method, arguments);

    /// <summary>Waits until the client has applied <paramref name="sequence"/> (or later).</summary>
    public async Task WaitForAsync(long sequence, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            lock (gate) if (LastSequence >= sequence) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Sequence {sequence} did not arrive; last applied is {LastSequence}.");
    }

    public async Task WaitUntilAsync(Func<LiveClient, bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            lock (gate) if (condition(this)) return;
            await Task.Delay(20);
        }
        throw new TimeoutException("The expected state did not arrive.");
    }

    private void OnChanged(JsonElement change)
    {
        lock (gate)
        {
            if (joining) buffered.Add(change);
            else Apply(change);
        }
    }

    private void Apply(JsonElement change)
    {
        var sequence = change.GetProperty("sequence").GetInt64();
        if (!seen.Add(sequence)) { SkippedRepeats++; return; }
        LastSequence = Math.Max(LastSequence, sequence);
        Applied.Add(sequence);
        Changes.Add(change);
        var data = change.GetProperty("data");
        Events.Add((change.GetProperty("kind").GetString()!, data));
        switch (change.GetProperty("kind").GetString())
        {
            case "annotation_created" or "annotation_updated": Annotations[data.GetProperty("id").GetGuid()] = data; break;
            case "annotation_deleted": Annotations.Remove(data.GetProperty("id").GetGuid()); break;
            case "relation_created" or "relation_updated": Relations[data.GetProperty("id").GetGuid()] = data; break;
            case "relation_deleted": Relations.Remove(data.GetProperty("id").GetGuid()); break;
        }
    }

    public async ValueTask DisposeAsync() => await Hub.DisposeAsync();
}
