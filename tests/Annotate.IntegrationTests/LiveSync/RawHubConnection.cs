using System.Net.WebSockets;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// A hub connection over a real WebSocket in SignalR's JSON protocol with messages written by hand: for what the .NET
/// client will not send (a lone surrogate, which it refuses to serialize; a message larger than the server takes).
/// </summary>
public sealed class RawHubConnection : IDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket socket = new();
    private readonly CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
    private string pending = "";
    private int invocations;

    public static Task<RawHubConnection> ConnectAsync(string baseUrl, string token) =>
        ConnectAsync(baseUrl, "?access_token=" + Uri.EscapeDataString(token), _ => { });

    /// <summary>With the socket's request set up by the caller (a cookie, an Origin header); <paramref name="query"/> may be empty.</summary>
    /// <param name="invoker">The HTTP stack to open the socket with (e.g. one whose sockets take a small receive window).</param>
    public static async Task<RawHubConnection> ConnectAsync(string baseUrl, string query, Action<ClientWebSocketOptions> configure, HttpMessageInvoker? invoker = null)
    {
        var connection = new RawHubConnection();
        configure(connection.socket.Options);
        var address = new Uri(baseUrl.Replace("http://", "ws://").TrimEnd('/') + "/hubs/annotations" + query);
        try { await connection.socket.ConnectAsync(address, invoker, connection.timeout.Token); }
        catch { connection.Dispose(); throw; }
        await connection.SendAsync("""{"protocol":"json","version":1}""");
        var handshake = await connection.ReceiveAsync();
        Assert.True(handshake is { } answer && !answer.TryGetProperty("error", out _), "the hub refused the handshake");
        return connection;
    }

    public async Task SendAsync(string message) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(message + RecordSeparator), WebSocketMessageType.Text, true, timeout.Token);

    /// <summary>The next message, or null once the server has closed the connection (a close message or the socket's close).</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var end = pending.IndexOf(RecordSeparator);
            if (end >= 0)
            {
                var message = JsonDocument.Parse(pending[..end]).RootElement.Clone();
                pending = pending[(end + 1)..];
                return message.TryGetProperty("type", out var type) && type.GetInt32() == 7 ? null : message;
            }
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            if (read.MessageType == WebSocketMessageType.Close) return null;
            pending += Encoding.UTF8.GetString(buffer, 0, read.Count);
        }
    }

    /// <summary>Calls a hub method with its arguments as raw JSON (an array) and returns its result.</summary>
    public async Task<JsonElement> InvokeAsync(string target, string arguments)
    {
        var id = (++invocations).ToString();
        await SendAsync($$"""{"type":1,"invocationId":"{{id}}","target":"{{target}}","arguments":{{arguments}}}""");
        while (await ReceiveAsync() is { } message)
        {
            if (message.GetProperty("type").GetInt32() != 3 || message.GetProperty("invocationId").GetString() != id) continue; // pushes, pings
            Assert.False(message.TryGetProperty("error", out var error), error.ToString());
            return message.GetProperty("result");
        }
        throw new InvalidOperationException($"The hub closed the connection instead of answering {target}.");
    }

    public void Dispose()
    {
        socket.Dispose();
        timeout.Dispose();
    }
}
