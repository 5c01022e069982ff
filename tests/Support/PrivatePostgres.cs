using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Annotate.Testing;

/// <summary>
/// A PostgreSQL cluster of one test's own, started the way ./annotate test starts the suite's (initdb and pg_ctl on
/// a free port; as root, owned by the postgres system user, since PostgreSQL refuses to run as root), so the test
/// can stop and restart it without touching the database every other test shares.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string folder;
    public int Port { get; }

    private PrivatePostgres(string bin, string folder, int port) => (this.bin, this.folder, Port) = (bin, folder, port);

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=annotate;Timeout=5";

    private string Cluster => Path.Combine(folder, "cluster");

    /// <summary>Makes, starts and migrates a new cluster with one database, "annotate".</summary>
    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderBy(b => b.Length).ThenBy(b => b).LastOrDefault()
            ?? throw new InvalidOperationException("No PostgreSQL binaries under /usr/lib/postgresql; ./annotate test installs them.");
        var folder = Path.Combine(Path.GetTempPath(), "annotate-pg-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        if (Environment.UserName == "root") await RunAsync("chown", "postgres", folder);
        var server = new PrivatePostgres(bin, folder, FreePort());
        await server.RunOwnedAsync("initdb", "-D", server.Cluster, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await server.StartAgainAsync();
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server.Port};Username=postgres;Database=postgres"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE annotate", connection);
            await create.ExecuteNonQueryAsync();
        }
        await TestDatabase.MigrateAsync(server.ConnectionString);
        return server;
    }

    /// <summary>Stops the server at once, ending every connection (what a crash or a restart does to the app).</summary>
    public Task StopAsync() => RunOwnedAsync("pg_ctl", "-D", Cluster, "-m", "immediate", "-w", "stop");

    public Task StartAgainAsync() => RunOwnedAsync("pg_ctl", "-D", Cluster, "-l", Path.Combine(folder, "postgres.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {folder} -c listen_addresses=127.0.0.1", "start");

    public async ValueTask DisposeAsync()
    {
        try { await RunOwnedAsync("pg_ctl", "-D", Cluster, "-m", "immediate", "-w", "stop"); } catch (InvalidOperationException) { /* already stopped */ }
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private Task RunOwnedAsync(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args])
            : RunAsync(Path.Combine(bin, tool), args);

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {await output}{await error}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
