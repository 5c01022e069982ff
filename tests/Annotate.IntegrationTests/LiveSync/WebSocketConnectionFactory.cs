using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// The .NET SignalR client's core package has no transport of its own (the HTTP transports' package is not
/// served here), so this gives it a plain WebSocket to the hub (skipping negotiation, as SignalR allows for
/// WebSockets). A real socket on a real Kestrel port: nothing in between is simulated.
/// </summary>
public sealed class WebSocketConnectionFactory(Func<Uri> address) : IConnectionFactory
{
    /// <summary>The live connections, so a test can cut one as a network failure would.</summary>
    public List<WebSocketConnection> Connections { get; } = [];

    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(address(), cancellationToken);
        var connection = new WebSocketConnection(socket);
        lock (Connections) Connections.Add(connection);
        return connection;
    }
}

public sealed class WebSocketConnection : ConnectionContext
{
    private readonly ClientWebSocket socket;
    private readonly Pipe incoming = new();
    private readonly Pipe outgoing = new();
    private readonly CancellationTokenSource closing = new();
    private readonly Task receiving;
    private readonly Task sending;

    public WebSocketConnection(ClientWebSocket socket)
    {
        this.socket = socket;
        Transport = new DuplexPipe(incoming.Reader, outgoing.Writer);
        receiving = ReceiveAsync();
        sending = SendAsync();
    }

    public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");
    public override IFeatureCollection Features { get; } = new FeatureCollection();
    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    public override IDuplexPipe Transport { get; set; }

    /// <summary>Drops the socket without a close handshake, like a lost network.</summary>
    public override void Abort() => socket.Abort();

    private async Task ReceiveAsync()
    {
        try
        {
            while (true)
            {
                var memory = incoming.Writer.GetMemory(8192);
                var result = await socket.ReceiveAsync(memory, closing.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                incoming.Writer.Advance(result.Count);
                if (result.EndOfMessage && (await incoming.Writer.FlushAsync()).IsCompleted) break;
            }
        }
        catch (Exception) { /* a dropped socket ends the connection; the client's reconnect logic takes over */ }
        await incoming.Writer.CompleteAsync();
    }

    private async Task SendAsync()
    {
        try
        {
            while (true)
            {
                var result = await outgoing.Reader.ReadAsync(closing.Token);
                foreach (var segment in result.Buffer)
                    await socket.SendAsync(segment, WebSocketMessageType.Text, endOfMessage: true, closing.Token);
                outgoing.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) break;
            }
            if (socket.State == WebSocketState.Open)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (Exception) { }
        await outgoing.Reader.CompleteAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await outgoing.Writer.CompleteAsync();
        closing.CancelAfter(TimeSpan.FromSeconds(2));
        await Task.WhenAll(receiving, sending);
        socket.Dispose();
        closing.Dispose();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
