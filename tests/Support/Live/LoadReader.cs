using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Annotate.Testing.Live;

/// <summary>
/// One reader of the load driver: a real SignalR client on its own connection, joined to one document. It applies
/// each pushed event once by sequence, as the page does, and counts what it could not apply: a sequence seen
/// before (a duplicate) or lower than the last applied (out of order). Each delivery of a create the driver sent is
/// timed from its send on the process's one monotonic clock (<see cref="Stopwatch.GetTimestamp"/>).
/// </summary>
public sealed class LoadReader(HubConnection connection, long documentId)
{
    private readonly Lock gate = new();
    private readonly HashSet<long> sequences = [];
    private long last;
    private readonly List<(Guid, long)> arrivals = [];

    public HubConnection Connection { get; } = connection;
    public long DocumentId { get; } = documentId;
    /// <summary>The creates (by the id the driver gave them) this reader received, once each.</summary>
    public HashSet<Guid> Received { get; } = [];
    public List<double> LatenciesMs { get; } = [];
    public long Duplicates { get; private set; }
    public long Disordered { get; private set; }
    /// <summary>The size of the first create's event as sent (its JSON), so a baseline can send payloads of the same size.</summary>
    public int PayloadBytes { get; private set; }
    public bool Closed { get; private set; }

    public int ReceivedCount { get { lock (gate) return Received.Count; } }

    public double[] Latencies() { lock (gate) return LatenciesMs.ToArray(); }

    /// <summary>When each create arrived (timestamps of the monotonic clock).</summary>
    public (Guid Id, long At)[] ReceivedAt() { lock (gate) return arrivals.ToArray(); }

    /// <summary>Listens for `Changed`; <paramref name="sentAt"/> is the driver's send time of each create by id.</summary>
    public void Listen(IReadOnlyDictionary<Guid, long> sentAt)
    {
        Connection.Closed += _ => { Closed = true; return Task.CompletedTask; };
        Connection.On<JsonElement>("Changed", change =>
        {
            var now = Stopwatch.GetTimestamp();
            var sequence = change.GetProperty("sequence").GetInt64();
            lock (gate)
            {
                if (!sequences.Add(sequence)) { Duplicates++; return; }
                if (sequence < last) { Disordered++; return; }
                last = sequence;
                if (change.GetProperty("kind").GetString() != "annotation_created" || !change.TryGetProperty("subjectId", out var subject)) return;
                var id = subject.GetGuid();
                if (!sentAt.TryGetValue(id, out var sent) || !Received.Add(id)) return;
                LatenciesMs.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                arrivals.Add((id, now));
                if (PayloadBytes == 0) PayloadBytes = change.GetRawText().Length;
            }
        });
    }
}
