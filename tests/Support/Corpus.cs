namespace Annotate.Testing;

/// <summary>The five reference articles in the shared corpus folder beside the repository (never copied into it).</summary>
public static class Corpus
{
    public static string Folder
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ANNOTATE_CORPUS");
            if (!string.IsNullOrEmpty(configured) && Directory.Exists(configured)) return configured;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
                if (File.Exists(Path.Combine(dir.FullName, "Annotate.sln")) && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            }
            throw new DirectoryNotFoundException("The shared corpus was not found: set ANNOTATE_CORPUS to its folder.");
        }
    }

    public static IReadOnlyList<string> Files => Directory.GetFiles(Folder, "*.txt").Order().ToList();

    public static string PathOf(string prefix) => Files.Single(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal));
}
