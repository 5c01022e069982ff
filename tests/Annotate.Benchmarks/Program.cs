using Annotate.Testing;

namespace Annotate.Benchmarks;

/// <summary>./annotate bench: every figure beside a baseline measured in the same run on the same machine.</summary>
public static class BenchProgram
{
    private static readonly string[] Parts = ["editor", "live", "write", "load", "agreement", "export", "documents", "review", "import"];

    /// <param name="args">The parts to run (editor, live, write, load, agreement, export, documents, review, import; all when none are named), and
    /// --quick for the smaller sizes of the load benchmark.</param>
    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        args = args.Where(a => a != "--quick").ToArray();
        var unknown = args.Except(Parts).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown benchmark {string.Join(", ", unknown)}: choose from {string.Join(", ", Parts)}");
            return 2;
        }
        var figures = new List<Figure>();
        var failed = new List<string>();
        var output = Environment.GetEnvironmentVariable("ANNOTATE_BENCH_OUT");
        var browser = new BrowserFixture();
        await browser.InitializeAsync();
        var startedMegabytes = Measure.ResidentMegabytes();
        var parts = new (string Name, Func<Task<IEnumerable<Figure>>> Run)[]
        {
            ("editor", async () => await EditorBench.RunAsync(browser)),
            ("live", async () => await LiveSyncBench.RunAsync(browser)),
            ("write", async () => await WriteBench.RunAsync(browser)),
            ("load", async () => await LiveLoadBench.RunAsync(browser, quick)),
            ("agreement", async () => await AgreementBench.RunAsync(browser)),
            ("export", async () => await ExportBench.RunAsync(browser)),
            ("documents", async () => await DocumentListBench.RunAsync(browser)),
            ("review", async () => await ReviewBench.RunAsync(browser)),
            ("import", async () => await ImportBench.RunAsync(browser)),
        };
        try
        {
            var runPeak = Measure.PeakMegabytes();
            var partMemory = new List<string>();
            foreach (var (name, run) in parts.Where(p => args.Length == 0 || args.Contains(p.Name)))
            {
                // Each part's peak is measured on its own, so the run's peak can be traced to the part that drives it.
                Console.WriteLine(Measure.StartPart(name));
                // One part failing must not lose the figures of the others: it is named, and the run goes on.
                try { figures.AddRange(await run()); }
                catch (Exception error)
                {
                    failed.Add(name);
                    Console.Error.WriteLine($"benchmark part '{name}' failed: {error}");
                }
                var partPeak = Measure.PeakMegabytes();
                runPeak = Math.Max(runPeak, partPeak);
                partMemory.Add(Measure.PartMemory(name, partPeak));
                Console.WriteLine(partMemory[^1]);
                // Written after every part, so a run that is stopped (or dies) still leaves what it measured.
                if (!string.IsNullOrEmpty(output)) await File.WriteAllTextAsync(output, Figure.Table(figures));
            }
            figures.Add(Measure.PeakOfRun(startedMegabytes, runPeak));
            partMemory.ForEach(Console.WriteLine);
        }
        finally
        {
            await browser.DisposeAsync();
        }
        var report = Figure.Table(figures);
        Console.WriteLine();
        Console.WriteLine(report);
        if (failed.Count > 0) Console.WriteLine($"parts that failed (see above): {string.Join(", ", failed)}");
        if (!string.IsNullOrEmpty(output)) await File.WriteAllTextAsync(output, report);
        if (failed.Count > 0) return 4;
        return figures.Any(f => f.Met == false) ? 3 : 0;
    }
}
