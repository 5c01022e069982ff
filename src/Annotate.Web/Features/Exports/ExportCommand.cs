using Annotate.Web.Features.Annotations;

namespace Annotate.Web.Features.Exports;

/// <summary>Writes an export straight to a file, for pipelines: the same code as the export job, without the queue.</summary>
public sealed class ExportCommand(long projectId, NewExport request, string output) : CommandLine
{
    public static ExportCommand? TryParse(string[] options)
    {
        long? project = null;
        string? format = null, output = null, scope = null, offsets = null;
        bool finishedOnly = false, gzip = false;
        for (var i = 0; i < options.Length; i++)
        {
            string? Next() => i + 1 < options.Length ? options[++i] : null;
            switch (options[i])
            {
                case "--project" when long.TryParse(Next(), out var id): project = id; break;
                case "--format": format = Next(); break;
                case "--out": output = Next(); break;
                case "--scope": scope = Next(); break;
                case "--offsets": offsets = Next(); break;
                case "--finished-only": finishedOnly = true; break;
                case "--gzip": gzip = true; break;
                default: return null;
            }
        }
        if (project is null || format is null || output is null || offsets is not (null or "codepoint" or "utf16")) return null;
        var unit = offsets == "utf16" ? OffsetUnit.Utf16 : OffsetUnit.Codepoint;
        return new ExportCommand(project.Value, new NewExport(format, scope, finishedOnly, unit, gzip), output);
    }

    public override async Task<int> RunAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.AppDbContext>();
        if (!await db.Projects.AnyAsync(p => p.Id == projectId))
        {
            Console.Error.WriteLine($"There is no project {projectId}.");
            return 1;
        }
        var temporary = output + ".part";
        try
        {
            var export = await ExportScheduler.ValidateAsync(db, projectId, request, null, TimeSpan.Zero);
            var runner = scope.ServiceProvider.GetRequiredService<ExportRunner>();
            await runner.WriteToPathAsync(export, temporary, (done, total) =>
            {
                if (done == total || done % 1000 == 0) Console.Error.Write($"\r{done} of {total} documents");
                return Task.CompletedTask;
            }, CancellationToken.None);
            File.Move(temporary, output, overwrite: true);
            Console.Error.WriteLine();
            Console.WriteLine($"Wrote {output} ({new FileInfo(output).Length / 1024.0:0.#} KB).");
            if (export.Notes is not null) Console.WriteLine(export.Notes);
            return 0;
        }
        catch (ProblemException problem)
        {
            Console.Error.WriteLine(problem.Detail);
            return 2;
        }
        catch (ArgumentException refused)
        {
            // The export job's refusals (e.g. a second annotator's spans appeared after the request was checked).
            Console.Error.WriteLine(refused.Message);
            return 2;
        }
        finally
        {
            // Whatever stopped it, no half-written file stays behind (after a success it was moved already).
            File.Delete(temporary);
        }
    }
}
