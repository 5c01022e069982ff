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
}
