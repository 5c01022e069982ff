using System.Diagnostics;
using Annotate.Web.Features.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Annotate.IntegrationTests.Platform;

/// <summary>What an operator does: make accounts from the shell, seed the demo, watch the health check.</summary>
[Collection(DemoSeedCollection.Name)]
public class OperationsTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    /// <summary>Runs the real app binary as a command (what ./annotate user add runs), next to the running app.</summary>
    private static async Task<(int Code, string Output)> RunCommandAsync(string? input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Annotate.Web.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Default"] = await TestDatabase.ConnectionStringAsync();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task The_user_add_command_makes_a_site_admin_who_sees_every_project_and_a_plain_account_with_a_generated_password()
    {
        var owner = await factory.SignUpAsync("owner");
        var projectId = await owner.ProjectAsync("Someone else's " + Guid.NewGuid());

        var adminEmail = AnnotateFactory.NewEmail("admin");
        var (code, output) = await RunCommandAsync("a long admin password\n", "user", "add", adminEmail, "--admin", "--password-stdin");
        Assert.True(code == 0, output);
        Assert.Contains("site admin", output);
        Assert.DoesNotContain("a long admin password", output);
        var admin = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(admin, adminEmail, "a long admin password");
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/projects");
        Assert.Contains(listed.EnumerateArray(), p => p.GetProperty("id").GetInt64() == projectId);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/projects/{projectId}/documents")).StatusCode);

        var plainEmail = AnnotateFactory.NewEmail("plain");
        var (plainCode, plainOutput) = await RunCommandAsync(null, "user", "add", plainEmail);
        Assert.True(plainCode == 0, plainOutput);
        var password = plainOutput.Split('\n').Single(l => l.StartsWith("Password: ")).Substring("Password: ".Length).Trim();
        var plain = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(plain, plainEmail, password);
        Assert.DoesNotContain((await plain.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray(), p => p.GetProperty("id").GetInt64() == projectId);
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync($"/api/projects/{projectId}/documents")).StatusCode);

        var (badCode, badOutput) = await RunCommandAsync(null, "user", "add", "not-an-email");
        Assert.NotEqual(0, badCode);
        Assert.Contains("not an email address", badOutput);
        Assert.DoesNotContain("   at ", badOutput); // a message, not a stack trace
    }

    [Fact]
    public async Task The_demo_is_seeded_once_with_the_sample_articles_and_no_admin()
    {
        var samples = FindSamples();
        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(samples, CancellationToken.None);
        using (var scope = factory.Services.CreateScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(samples, CancellationToken.None));

        var lead = factory.CreateClient();
        await AnnotateFactory.AuthorizeAsync(lead, DemoSeeder.Accounts[0].Email, DemoSeeder.Password);
        var demo = Assert.Single((await lead.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray(), p => p.GetProperty("name").GetString()!.StartsWith("Demo:"));
        var documents = await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{demo.GetProperty("id").GetInt64()}/documents");
        var articles = Directory.GetFiles(samples, "*.txt").Length
            + Directory.GetFiles(samples, "*.jsonl").Sum(f => File.ReadLines(f).Count(l => l.Trim().Length > 0));
        Assert.Equal(articles, documents.GetProperty("items").GetArrayLength());
        Assert.Equal(articles, documents.GetProperty("total").GetInt32());
        using var check = factory.Services.CreateScope();
        var db = check.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(1, await db.Users.CountAsync(u => u.Email == DemoSeeder.Accounts[0].Email));
        // The demo lead's password is public: it must not open anyone else's project.
        var someone = await factory.SignUpAsync("private");
        var mine = await someone.ProjectAsync("Private " + Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await lead.GetAsync($"/api/projects/{mine}")).StatusCode);
    }

    internal static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "samples")) && File.Exists(Path.Combine(dir.FullName, "Annotate.sln")))
                return Path.Combine(dir.FullName, "samples");
        throw new DirectoryNotFoundException("samples/ beside Annotate.sln was not found above the test binaries.");
    }

    [Fact]
    public async Task Health_says_unhealthy_with_503_when_the_database_is_unreachable()
    {
        // The same app, whose data context points at a port where no PostgreSQL listens.
        await using var down = factory.WithWebHostBuilder(builder => builder.UseSetting("Jobs:Run", "false").ConfigureTestServices(services =>
        {
            services.RemoveAll<DbContextOptions<AppDbContext>>();
            services.RemoveAll(typeof(IDbContextOptionsConfiguration<AppDbContext>));
            services.AddDbContextPool<AppDbContext>(options => options.UseNpgsql("Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=3"));
        }));
        var response = await down.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unreachable", body.GetProperty("database").GetString());
    }
}
