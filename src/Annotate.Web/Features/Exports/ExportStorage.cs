namespace Annotate.Web.Features.Exports;

/// <summary>Where finished exports live (Exports__Folder), and how long (Exports__KeepDays).</summary>
public class ExportStorage(IConfiguration configuration)
{
    public string Folder
    {
        get
        {
            var folder = configuration["Exports:Folder"] is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "exports");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public TimeSpan KeepFor => TimeSpan.FromDays(configuration.GetValue("Exports:KeepDays", 7.0));

    public string PathOf(string fileName) => Path.Combine(Folder, Path.GetFileName(fileName));

    /// <summary>Where an export is written while it runs; renamed to its file name only when complete.</summary>
    public string TemporaryPath(long exportId) => Path.Combine(Folder, $"{exportId}.part");
}
