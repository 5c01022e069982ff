using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Demo;
using Annotate.Web.Features.Documents;
using Annotate.Web.Features.Imports;
using Annotate.Web.Features.LiveSync;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Annotate.Web.Infrastructure;

public static class WebSetup
{
    /// <summary>How many of one connection's hub calls may run at once; more wait their turn (SignalR queues them).</summary>
    public const int ParallelCallsPerConnection = 16;

    public static void AddAnnotateWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Production logs are JSON lines for log collectors; a person running it locally reads plain text.
        if (builder.Environment.IsProduction()) builder.Logging.ClearProviders().AddJsonConsole();
        services.AddAnnotateErrorHandling(); // first: its problem writer must come before MVC's
        // A request's bytes are handled on the socket thread that read them instead of being handed to a pool thread: a
        // profile of span creates found a sixth of the app's CPU in that hand-over (waking a worker for every read). Safe
        // because nothing on a request's path blocks a thread: all of it awaits (a blocking call would hold up the other
        // connections served by that socket thread).
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(sockets => sockets.UnsafePreferInlineScheduling = true);
        services.AddControllersWithViews(options =>
            {
                // Pages' forms must carry the antiforgery token; API controllers opt out (see UseCookieApiAntiforgery).
                options.Filters.Add(new AutoValidateAntiforgeryTokenAttribute());
                options.Filters.Add(new StorableTextActionFilter());
            })
            .AddJsonOptions(options => JsonOptions.ApplyTo(options.JsonSerializerOptions))
            .ConfigureApiBehaviorOptions(options =>
            {
                options.InvalidModelStateResponseFactory = context =>
                {
                    var problem = new ValidationProblemDetails(context.ModelState)
                    {
                        Status = 400,
                        Title = "Invalid request",
                        Detail = "Some fields are missing or malformed; see errors.",
                        Instance = context.HttpContext.Request.Path,
                    };
                    return new BadRequestObjectResult(problem) { ContentTypes = { "application/problem+json" } };
                };
            });
        services.Configure<RazorViewEngineOptions>(options =>
        {
            options.ViewLocationFormats.Clear();
            options.ViewLocationFormats.Add("/Features/Shared/{0}.cshtml");
            options.ViewLocationExpanders.Add(new FeatureViewLocations());
        });
        // Pages write every Unicode letter as itself (the default HTML encoder writes &#x..; for each non-ASCII one);
        // <, >, & and quotes are still escaped.
        services.AddWebEncoders(options => options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.ConfigureHttpJsonOptions(options => JsonOptions.ApplyTo(options.SerializerOptions));
        services.AddOpenApi();
        services.AddHealthChecks();

        services.AddImports();

        // Sign-in cookies stay valid across restarts when the keys live in the data folder (./annotate up sets it).
        if (builder.Configuration["Annotate:KeysPath"] is { Length: > 0 } keysPath)
            services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keysPath)).SetApplicationName("Annotate");

        services.AddSignalR(hub =>
            {
                // The same budget as the REST write routes; SignalR's default of 32 KB closed connections over changes REST stored.
                hub.MaximumReceiveMessageSize = ChangeBudget.MaxBytes;
                // A connection's calls run side by side, as concurrent requests do: one connection (a script, a busy page)
                // is not capped at one call per write round trip, and its creates share a commit (GroupCommit). Order is
                // the client's to keep: the editor sends a change once the one before it is answered (PendingEdits).
                hub.MaximumParallelInvocationsPerClient = ParallelCallsPerConnection;
                hub.AddFilter<DatabaseOutageHubFilter>(); // first: outermost, around the filters that read the database
                hub.AddFilter<StorableTextHubFilter>();
                hub.AddFilter<Features.Accounts.DisabledAccountHubFilter>();
                hub.AddFilter<WriteLimitHubFilter>();
            })
            .AddJsonProtocol(options => JsonOptions.ApplyTo(options.PayloadSerializerOptions));
        // One bounded send queue per connection, so a slow reader holds back only itself (see QueuedHubLifetimeManager).
        services.AddSingleton<HubLifetimeManager<AnnotationHub>, QueuedHubLifetimeManager<AnnotationHub>>();
        services.AddSingleton<Presence>();
        services.AddHostedService<PresenceHeartbeat>();
        services.AddSingleton<LiveAccess>();
        services.AddScoped<JobProgressFeed>();
        services.AddSingleton<ChangeBroadcaster>();
        services.AddHostedService(services => services.GetRequiredService<ChangeBroadcaster>());
        services.AddScoped<ChangeLog>();
        services.AddScoped<AnnotationWriter>();
        services.AddSingleton<GroupCommit>();
        services.AddSingleton<DocumentTexts>();
        services.AddScoped<AnnotationReader>();
        services.AddScoped<ProjectAccess>();
        services.AddScoped<ProjectAdmin>();
        services.AddScoped<Features.Curation.CurationService>();
        services.AddSingleton<Features.Curation.AnnotatorWorkCache>();
        services.AddScoped<Features.Curation.CurationReports>();
        services.AddScoped<DocumentList>();
        services.AddScoped<DocumentAdmin>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<DemoWork>();
        // Workflow: the clock is injected so tests can move it (an abandoned document is released after a timeout).
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<Features.Workflow.Assignments>();
        services.AddScoped<Features.Workflow.FinishedLock>();
        services.AddScoped<Features.Workflow.Progress>();
        services.AddScoped<Features.Workflow.ProgressOrder>();
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", async (Data.AppDbContext db, CancellationToken cancel) =>
        {
            var databaseUp = await db.Database.CanConnectAsync(cancel);
            var body = new { status = databaseUp ? "healthy" : "unhealthy", database = databaseUp ? "up" : "unreachable" };
            return databaseUp ? Results.Ok(body) : Results.Json(body, statusCode: 503);
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
