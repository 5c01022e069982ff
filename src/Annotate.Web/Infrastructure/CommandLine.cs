using Annotate.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Administrative commands run by the same binary as the server (so they use the same configuration and
/// database): `Annotate.Web user add EMAIL [--admin] [--password-stdin]`, and each feature's own verbs (`export`, in
/// Features/Exports/ExportCommand.cs). The ./annotate script wraps them.
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
        if (args is ["export", .. var exportOptions] && Features.Exports.ExportCommand.TryParse(exportOptions) is { } export) return export;
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
