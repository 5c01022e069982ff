using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.Demo;
using Annotate.Web.Features.LiveSync;

// A command (`user add ...`) runs against the same configuration as the server, then exits.
var command = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = command is null ? args : [],
    WebRootPath = WebRoot.Locate(),
});

if (command is not null) builder.Logging.SetMinimumLevel(LogLevel.Warning); // a command prints its own result
builder.AddAnnotateDatabase();
builder.AddAnnotateAuth();
builder.AddAnnotateWeb();
builder.AddAnnotateJobs();
builder.AddAnnotateRateLimits();

var app = builder.Build();
if (command is not null) return await command.RunAsync(app.Services);

app.UseClientAddressFromProxy();
app.UseSecurityHeaders();
app.UseAnnotateErrorHandling();
app.UseStaticFiles();
app.UseRouting();
app.UseBodyLimits();
app.UseAuthentication();
app.UseDisabledAccountCheck();
app.UseAuthorization();
app.UseRateLimiter();
app.UseCookieApiAntiforgery();

app.MapControllers();
app.MapAnnotationHub();
app.MapAnnotateJobsDashboard();
app.MapGroup("/api/auth").WithTags("Auth").AddEndpointFilter<StorableTextEndpointFilter>().AddEndpointFilter<AccountApiEndpointFilter>()
    .MapIdentityApi<AppUser>().LimitAccountEndpoints();
app.MapOpenApi();
app.MapHealth();

await app.SeedDemoWhenConfiguredAsync();
await app.RunAsync();
return 0;

/// <summary>Visible to the test projects' WebApplicationFactory.</summary>
public partial class Program;
