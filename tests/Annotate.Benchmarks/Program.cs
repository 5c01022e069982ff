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
        bool Runs(string part) => args.Length == 0 || args.Contains(part);
        var figures = new List<Figure>();
        var browser = new BrowserFixture();
        await browser.InitializeAsync();
        var startedMegabytes = Measure.ResidentMegabytes();
        try
        {
            if (Runs("editor")) figures.AddRange(await EditorBench.RunAsync(browser));
            if (Runs("live")) figures.AddRange(await LiveSyncBench.RunAsync(browser));
            if (Runs("write")) figures.AddRange(await WriteBench.RunAsync(browser));
            if (Runs("load")) figures.AddRange(await LiveLoadBench.RunAsync(browser, quick));
            if (Runs("agreement")) figures.AddRange(await AgreementBench.RunAsync(browser));
            if (Runs("export")) figures.AddRange(await ExportBench.RunAsync(browser));
            if (Runs("documents")) figures.AddRange(await DocumentListBench.RunAsync(browser));
            if (Runs("review")) figures.AddRange(await ReviewBench.RunAsync(browser));
            if (Runs("import")) figures.AddRange(await ImportBench.RunAsync(browser));
            figures.Add(Measure.PeakOfRun(startedMegabytes));
        }
        finally
        {
            await browser.DisposeAsync();
        }
        var report = Figure.Table(figures);
        Console.WriteLine();
        Console.WriteLine(report);
        var output = Environment.GetEnvironmentVariable("ANNOTATE_BENCH_OUT");
        if (!string.IsNullOrEmpty(output)) await File.WriteAllTextAsync(output, report);
        return figures.Any(f => f.Met == false) ? 3 : 0;
    }
}
