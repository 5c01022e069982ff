using System.Diagnostics;

namespace Annotate.Benchmarks;

public static class Measure
{
    /// <summary>
    /// Runs <paramref name="work"/>, timing it and sampling the process's working set every 50 ms. The peak growth is
    /// what the work added on top of the process as it stood before (the app host, its caches, the test data):
    /// that is the work's own peak; the working set before is returned beside it, as its baseline.
    /// </summary>
    public static async Task<(double Seconds, double PeakGrowthMegabytes, double BeforeMegabytes)> TimeAndPeakMemoryAsync(Func<Task> work)
    {
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        await work();
        var seconds = clock.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        return (seconds, (peak - before) / 1048576.0, before / 1048576.0);
    }

    /// <summary>
    /// CPU seconds spent so far by this process (the app and the bench's own clients) and by the PostgreSQL server (its
    /// postmaster and every process it started: backends, WAL writer, checkpointer), read from /proc. Two readings
    /// around a phase say where the machine's CPU went per operation; null where /proc cannot be read.
    /// </summary>
    public static async Task<Func<(double Process, double Postgres)>?> CpuMeterAsync(string connectionString)
    {
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT pg_backend_pid()", connection);
            var backend = (int)(await command.ExecuteScalarAsync())!;
            // A server on another machine (a configured one) has its pids there: a local process of that number is not it.
            if (!File.ReadAllText($"/proc/{backend}/cmdline").StartsWith("postgres", StringComparison.Ordinal)) return null;
            var postmaster = Stat(backend)!.Value.Parent;
            return () => (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, PostgresSeconds(postmaster));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    // USER_HZ: /proc counts CPU time in these ticks, 100 a second on every Linux the runtime supports.
    private const double TicksPerSecond = 100;

    private static double PostgresSeconds(int postmaster)
    {
        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(folder), out var pid) && Stat(pid) is { } stat && (pid == postmaster || stat.Parent == postmaster))
                ticks += stat.Ticks;
        return ticks / TicksPerSecond;
    }

    /// <summary>A process's parent and user + system CPU ticks (/proc/PID/stat: fields 4, 14 and 15, counted after the name's closing parenthesis).</summary>
    private static (int Parent, long Ticks)? Stat(int pid)
    {
        string line;
        try { line = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; } // gone meanwhile
        var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1]), long.Parse(fields[11]) + long.Parse(fields[12]));
    }

    public static double ResidentMegabytes() => Process.GetCurrentProcess().WorkingSet64 / 1048576.0;

    /// <summary>The kernel's high-water mark of the process's resident set since it started or since <see cref="ResetPeak"/>.</summary>
    public static double PeakMegabytes() => Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>
    /// Starts the high-water mark again from the current resident set (Linux: "5" to /proc/self/clear_refs), so that
    /// each part's peak is its own; where that cannot be done the peaks stay cumulative, an upper bound still.
    /// </summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Before a part: the garbage the parts before it left is collected and its memory given back (an aggressive, compacting
    /// collection), then the high-water mark starts again. So a part's peak is what it needs on top of what is live, not
    /// also what an earlier part left for a collection that had not come yet (otherwise the last parts carry the first ones').
    /// </summary>
    /// <returns>where the part starts: the resident set and the managed heap that is live</returns>
    public static string StartPart(string part)
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        ResetPeak();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"memory: {part} starts at {ResidentMegabytes():0} MB resident, {GC.GetTotalMemory(false) / 1048576.0:0} MB of managed heap live");
    }

    /// <summary>One part's memory: its peak resident set, and what the managed heap held at its peak and after it (GC.GetGCMemoryInfo).</summary>
    public static string PartMemory(string part, double peakMegabytes)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"memory: {part}: peak resident {peakMegabytes:0} MB; managed heap after its last GC {info.HeapSizeBytes / 1048576.0:0} MB, committed {info.TotalCommittedBytes / 1048576.0:0} MB; {(GC.GetTotalPauseDuration().TotalSeconds):0.0} s of GC pauses so far");
    }

    /// <summary>
    /// The app's peak memory over the whole run, honestly bounded: the app runs in this process beside the bench's own
    /// SignalR clients, bare hubs and echo servers (Chromium is a process of its own), so the process's peak resident set
    /// (the kernel's high-water mark, VmHWM, which .NET reports as PeakWorkingSet64 on Linux) is an upper bound of the
    /// app's. The baseline is the resident set once the app had started, before any part ran (context, no ratio).
    /// </summary>
    /// <param name="peak">the highest of the parts' peaks (each part's is measured from a reset mark)</param>
    public static Figure PeakOfRun(double startedMegabytes, double peak)
    {
        return new("process peak resident memory over the run (the app plus the bench's in-process clients: an upper bound of the app's)",
            peak, "MB", "resident memory once the app had started", startedMegabytes, "<= 500 MB", peak <= 500, Comparable: false);
    }
}
