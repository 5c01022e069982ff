using System.Diagnostics;
using Hangfire;
using Npgsql;

namespace Annotate.IntegrationTests.Jobs;

/// <summary>
/// App nodes on a database of their own (so their Hangfire storage, schema "hangfire" there, is theirs alone: no other
/// test's node takes their jobs, and theirs take no other test's): in-process hosts, and real processes that can be
/// killed. All share one exports folder, as nodes share a volume.
/// </summary>
public sealed class JobCluster : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> nodes = [];

    private JobCluster(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }
    public string ExportsFolder { get; } = Path.Combine(Path.GetTempPath(), $"annotate-test-cluster-{Guid.NewGuid():N}");

    public static async Task<JobCluster> CreateAsync() => new(await TestDatabase.CreateSeparateAsync());

    private IEnumerable<KeyValuePair<string, string?>> Settings(bool runJobs) =>
    [
        new("ConnectionStrings:Default", ConnectionString), new("Exports:Folder", ExportsFolder), new("Jobs:Run", runJobs ? "true" : "false"),
    ];

    /// <summary>An app host in this process (started at once), with a Hangfire server unless <paramref name="runJobs"/> is false.</summary>
    public ConfiguredFactory Node(bool runJobs = true)
    {
        var node = new ConfiguredFactory(Settings(runJobs));
        lock (nodes) nodes.Add(node);
        _ = node.Services; // starts the host, and with it its Hangfire server
        return node;
    }

    /// <summary>The app as its own process (the build of the web project), running jobs: a node that can be killed.</summary>
    public NodeProcess ProcessNode()
    {
        var node = NodeProcess.Start(AnnotateFactory.FastJobs.Concat(Settings(runJobs: true)));
        lock (nodes) nodes.Add(node);
        return node;
    }

    /// <summary>The Hangfire servers registered in this cluster's storage (a killed node's stays until it times out).</summary>
    public static int Servers(AnnotateFactory node) => node.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers().Count;

    /// <summary>The ids of the servers that started the Hangfire job, in order (one per run).</summary>
    public static List<string> Runs(AnnotateFactory node, string jobId) =>
        node.Services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId).History
            .Where(h => h.StateName == Hangfire.States.ProcessingState.StateName).Reverse().Select(h => h.Data["ServerId"]).ToList();

    public static string? State(AnnotateFactory node, string jobId)
    {
        using var connection = node.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    /// <summary>Polls Hangfire's state of the job (it changes just after our row does) until it is <paramref name="state"/>.</summary>
    public static async Task WaitForStateAsync(AnnotateFactory node, string jobId, string state, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        string? now;
        while ((now = State(node, jobId)) != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Hangfire's job {jobId} is {now}, not {state}.");
            await Task.Delay(100);
        }
    }

    /// <summary>A project of a new lead with two articles, one span each (the lead's).</summary>
    public static async Task<(SignedInClient Lead, long ProjectId, long[] Docs)> ProjectAsync(AnnotateFactory node)
    {
        var lead = await node.SignUpAsync("lead");
        var projectId = await lead.ProjectAsync("Cluster " + Guid.NewGuid());
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("The ferry burned off Kestrel Bay on Monday.")), "files", "a.txt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("All 212 passengers were rescued, officials said.")), "files", "b.txt" },
        };
        var docs = (await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray();
        foreach (var doc in docs)
            (await lead.Http.PostAsJsonAsync($"/api/documents/{doc}/annotations", new { layer = "entity", label = "EVENT", start = 4, end = 9 })).EnsureSuccessStatusCode();
        return (lead, projectId, docs);
    }

    public static async Task<long> ExportAsync(SignedInClient lead, long projectId, string format = "annotate-jsonl")
    {
        var response = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/exports", new { format });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public record ExportRow(string Status, int Attempts, string? Error, string? JobId, int Done, int Total, string? FileName);

    public async Task<ExportRow> ExportRowAsync(long exportId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status, attempts, error, job_id, done, total, file_name FROM exports WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", exportId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"Export {exportId} is gone.");
        return new ExportRow(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6));
    }

    /// <summary>Polls the export's row until <paramref name="done"/> holds; fails at the deadline with the row as it was.</summary>
    public async Task<ExportRow> WaitForExportAsync(long exportId, Func<ExportRow, bool> done, int seconds = 60, Func<string>? explain = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var row = await ExportRowAsync(exportId);
            if (done(row)) return row;
            Assert.True(DateTime.UtcNow < deadline, $"Export {exportId} did not get there: {row} {explain?.Invoke()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The export's files in the shared folder: finished ones and a temporary one.</summary>
    public (string[] Files, bool Temporary) FilesOf(long projectId, long exportId) =>
        (Directory.Exists(ExportsFolder) ? Directory.GetFiles(ExportsFolder, $"export-{projectId}-{exportId}-*") : [],
            File.Exists(Path.Combine(ExportsFolder, $"{exportId}.part")));

    /// <summary>
    /// Holds every read of spans (an exclusive lock on annotations) until disposed: an export job that reaches its span
    /// query waits there, mid-export, for as long as the test needs. Only this cluster's database is locked.
    /// </summary>
    public async Task<SpanLock> LockSpansAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand("BEGIN; LOCK TABLE annotations IN ACCESS EXCLUSIVE MODE", connection)) await command.ExecuteNonQueryAsync();
        return new SpanLock(connection, ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(nodes))
        {
            try { await node.DisposeAsync(); } catch (ObjectDisposedException) { }
        }
        if (Directory.Exists(ExportsFolder)) Directory.Delete(ExportsFolder, recursive: true);
    }
}

public sealed class SpanLock(NpgsqlConnection connection, string connectionString) : IAsyncDisposable
{
    /// <summary>The server processes waiting for the lock: a job that is stuck mid-export.</summary>
    public async Task<List<int>> WaitingAsync()
    {
        await using var look = new NpgsqlConnection(connectionString);
        await look.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'annotations'::regclass AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", look);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids;
    }

    /// <summary>Polls until a job waits for the lock.</summary>
    public async Task<int> WaitForJobAsync(int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var waiting = await WaitingAsync();
            if (waiting.Count > 0) return waiting[0];
            Assert.True(DateTime.UtcNow < deadline, "No job reached the span query.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (connection.FullState.HasFlag(System.Data.ConnectionState.Open))
        {
            await using var command = new NpgsqlCommand("ROLLBACK", connection);
            await command.ExecuteNonQueryAsync();
        }
        await connection.DisposeAsync();
    }
}

/// <summary>The web app as a process of its own, on its own port; <see cref="Kill"/> ends it as a crash would.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private NodeProcess(Process process) => this.process = process;

    public string Output { get { lock (output) return output.ToString(); } }

    public static NodeProcess Start(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var web = WebBuild();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(web)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(web);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var node = new NodeProcess(new Process { StartInfo = start });
        node.process.OutputDataReceived += (_, line) => { lock (node.output) node.output.AppendLine(line.Data); };
        node.process.ErrorDataReceived += (_, line) => { lock (node.output) node.output.AppendLine(line.Data); };
        node.process.Start();
        node.process.BeginOutputReadLine();
        node.process.BeginErrorReadLine();
        return node;
    }

    public bool HasExited => process.HasExited;

    /// <summary>SIGKILL: no shutdown, no re-queue; its Hangfire server simply stops renewing its fetched jobs.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>The web project's own build of the same configuration as these tests.</summary>
    private static string WebBuild()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Annotate.sln"))) folder = folder.Parent;
        Assert.NotNull(folder);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var web = Path.Combine(folder.FullName, "src", "Annotate.Web", "bin", configuration, "net10.0", "Annotate.Web.dll");
        Assert.True(File.Exists(web), $"The web app is not built at {web}.");
        return web;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) await KillAsync();
        process.Dispose();
    }
}
