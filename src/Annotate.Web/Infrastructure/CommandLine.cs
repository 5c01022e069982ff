using Annotate.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Administrative commands run by the same binary as the server (so they use the same configuration and
/// database): `Annotate.Web user add EMAIL [--admin] [--password-stdin]`. The ./annotate script wraps them.
/// </summary>
public abstract class CommandLine
{
    public const string Usage = "usage: user add EMAIL [--admin] [--password-stdin] | export --project ID --format FORMAT --out FILE [--scope all|curated|annotator:EMAIL] [--finished-only] [--offsets codepoint|utf16] [--gzip]";

    public static CommandLine? Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) return null; // server options such as --urls
        if (args is ["user", "add", var email, .. var options] && !email.StartsWith('-')
            && options.All(o => o is "--admin" or "--password-stdin"))
            return new AddUser(email, options.Contains("--admin"), options.Contains("--password-stdin"));
        if (args is ["export", .. var exportOptions] && ExportFile.TryParse(exportOptions) is { } export) return export;
        return new UsageError(string.Join(' ', args));
    }

    public abstract Task<int> RunAsync(IServiceProvider services);

    private sealed class UsageError(string given) : CommandLine
    {
        public override Task<int> RunAsync(IServiceProvider services)
        {
            Console.Error.WriteLine($"unknown command '{given}'. {Usage}");
            return Task.FromResult(2);
        }
    }

    /// <summary>Writes an export straight to a file, for pipelines: the same code as the export job, without the queue.</summary>
    private sealed class ExportFile(long projectId, Features.Exports.NewExport request, string output) : CommandLine
    {
        public static ExportFile? TryParse(string[] options)
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
            var unit = offsets == "utf16" ? Features.Annotations.OffsetUnit.Utf16 : Features.Annotations.OffsetUnit.Codepoint;
            return new ExportFile(project.Value, new Features.Exports.NewExport(format, scope, finishedOnly, unit, gzip), output);
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
                var export = await Features.Exports.ExportScheduler.ValidateAsync(db, projectId, request, null, TimeSpan.Zero);
                var runner = scope.ServiceProvider.GetRequiredService<Features.Exports.ExportRunner>();
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

    private sealed class AddUser(string email, bool admin, bool passwordFromStdin) : CommandLine
    {
        public override async Task<int> RunAsync(IServiceProvider services)
        {
            if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email))
            {
                Console.Error.WriteLine($"'{email}' is not an email address.");
                return 2;
            }
            var password = passwordFromStdin ? (Console.In.ReadLine() ?? "").TrimEnd('\r', '\n') : AccountCommands.GeneratePassword();
            using var scope = services.CreateScope();
            var (user, error) = await AccountCommands.CreateOrResetAsync(
                scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>(),
                scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(),
                email, password, admin);
            if (user is null)
            {
                Console.Error.WriteLine($"Could not create {email}: {error}");
                return 1;
            }
            Console.WriteLine($"Account {email} is ready{(admin ? " (site admin)" : "")}.");
            if (!passwordFromStdin) Console.WriteLine($"Password: {password}");
            return 0;
        }
    }
}
