using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.Imports;
using Microsoft.AspNetCore.Identity;

namespace Annotate.Web.Features.Demo;

/// <summary>
/// On the first start of a new install (Annotate__SeedDemo=true, as ./annotate up sets it) creates demo accounts
/// and a demo project with the articles in samples/. Later starts find the demo lead and create nothing again; the
/// demo annotators' work (samples/demo-work.json) is then brought up to date by <see cref="DemoWork"/>, which adds
/// only what was never there.
/// </summary>
public class DemoSeeder(AppDbContext db, UserManager<AppUser> users, RoleManager<IdentityRole> roles,
    ProjectAdmin admin, DocumentImporter importer, ILogger<DemoSeeder> logger)
{
    public const string Password = "annotate-demo";

    public static readonly (string Email, string Name, ProjectRole Role)[] Accounts =
    [
        ("lead@demo.test", "Lena Lead", ProjectRole.Manager),
        ("ana@demo.test", "Ana Annotator", ProjectRole.Annotator),
        ("ben@demo.test", "Ben Annotator", ProjectRole.Annotator),
        ("rita@demo.test", "Rita Reviewer", ProjectRole.Reviewer),
    ];

    public async Task<bool> SeedAsync(string samplesFolder, CancellationToken cancel)
    {
        if (await users.FindByEmailAsync(Accounts[0].Email) is not null) return false;

        var created = new List<AppUser>();
        foreach (var (email, name, _) in Accounts)
        {
            // No demo account is a site admin: their password is printed and published, so they get only the demo project.
            var (user, error) = await AccountCommands.CreateOrResetAsync(users, roles, email, Password, admin: false, name);
            created.Add(user ?? throw new InvalidOperationException($"Demo account {email}: {error}"));
        }
        var project = await admin.CreateAsync(created[0].Id,
            "Demo: the Kestrel Bay ferry fire",
            "Three short reports of one invented event that disagree on the facts. Find the contradictions.",
            Visibility.Open);
        project.Guidelines = """
            # Guidelines

            1. Mark **people**, **organisations**, **places**, **dates** and **quantities** as entities.
            2. Mark each checkable statement as a **CLAIM**: who says what happened, how many, when.
            3. When two claims cannot both be true, link them with **CONTRADICTS**; when one backs the other, **SUPPORTS**.
            """;
        await db.SaveChangesAsync(cancel);
        for (var i = 1; i < Accounts.Length; i++)
            await admin.AddMemberAsync(project.Id, Accounts[i].Email, Accounts[i].Role);

        // The articles only: demo-work.json is the annotators' work, applied afterwards.
        var files = Directory.Exists(samplesFolder)
            ? Directory.GetFiles(samplesFolder).Where(path => path.EndsWith(".txt") || path.EndsWith(".jsonl")).Order().Select(path => new UploadedFile(path, new FileInfo(path).Length, () => File.OpenRead(path))).ToList()
            : [];
        if (files.Count > 0) await importer.ImportAsync(project.Id, created[0].Id, files, cancel);
        logger.LogInformation("Seeded the demo project {ProjectId} with {Count} articles", project.Id, files.Count);
        return true;
    }

    /// <summary>The project the seeder made: the demo lead's first (their password is public, so they are in no other).</summary>
    public async Task<long?> DemoProjectIdAsync(CancellationToken cancel)
    {
        var lead = await users.FindByEmailAsync(Accounts[0].Email);
        if (lead is null) return null;
        return await db.ProjectMembers.Where(m => m.UserId == lead.Id).OrderBy(m => m.ProjectId)
            .Select(m => (long?)m.ProjectId).FirstOrDefaultAsync(cancel);
    }
}

public static class DemoSeeding
{
    public static async Task SeedDemoWhenConfiguredAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Annotate:SeedDemo")) return;
        var samples = app.Configuration["Annotate:SamplesPath"] ?? Path.Combine(AppContext.BaseDirectory, "samples");
        using var scope = app.Services.CreateScope();
        var seeder = scope.ServiceProvider.GetRequiredService<DemoSeeder>();
        var seeded = await seeder.SeedAsync(samples, app.Lifetime.ApplicationStopping);
        try { await ApplyWorkAsync(scope.ServiceProvider, seeder, samples, app.Lifetime.ApplicationStopping); }
        catch (Exception error) when (error is InvalidDataException or System.Text.Json.JsonException)
        {
            // A broken demo file must not keep the app from starting: the demo then has its articles without the work.
            app.Logger.LogError("samples/{File} was not applied: {Reason}", DemoWork.FileName, error.Message);
        }
        if (!seeded) return;
        Console.WriteLine();
        Console.WriteLine("  Demo accounts (password for each: " + DemoSeeder.Password + "):");
        foreach (var (email, _, role) in DemoSeeder.Accounts)
            Console.WriteLine($"    {email,-18} {role.ToString().ToLowerInvariant()}");
        Console.WriteLine();
    }

    /// <summary>Every start: the demo work, where the demo project still exists and the file is there.</summary>
    public static async Task<DemoWork.Outcome?> ApplyWorkAsync(IServiceProvider services, DemoSeeder seeder, string samplesFolder, CancellationToken cancel)
    {
        var path = Path.Combine(samplesFolder, DemoWork.FileName);
        if (!File.Exists(path) || await seeder.DemoProjectIdAsync(cancel) is not { } projectId) return null;
        return await services.GetRequiredService<DemoWork>().ApplyAsync(projectId, path, DemoSeeder.Accounts[0].Email, cancel);
    }
}
