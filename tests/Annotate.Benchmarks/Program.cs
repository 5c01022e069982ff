using Annotate.Testing;

namespace Annotate.Benchmarks;

/// <summary>./annotate bench: every figure beside a baseline measured in the same run on the same machine.</summary>
public static class BenchProgram
{
    public static async Task<int> Main()
    {
        var figures = new List<Figure>();
        var browser = new BrowserFixture();
        await browser.InitializeAsync();
        try
        {
            figures.AddRange(await EditorBench.RunAsync(browser));
            figures.AddRange(await LiveSyncBench.RunAsync(browser));
            figures.AddRange(await AgreementBench.RunAsync(browser));
            figures.AddRange(await ExportBench.RunAsync(browser));
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
