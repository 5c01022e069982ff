using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.RegularExpressions;
using Annotate.IntegrationTests.LiveSync;
using Annotate.Web.Data;
using Annotate.Web.Features.Accounts;
using Annotate.Web.Features.LiveSync;
using Annotate.Web.Features.Projects;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Annotate.IntegrationTests.Security;

/// <summary>
/// The authorisation matrix: every route of the app (read from its own EndpointDataSource, so a new route is found
/// without anyone listing it) and every public method of the hub (by reflection) must have an entry in
/// <see cref="Routes"/> or <see cref="HubMethods"/>, and every entry is requested for real by each role in each kind of
/// project. An entry's rule says who may pass; a denial is 401, 403, 404 or a redirect to sign-in, anything else
/// (never a 5xx) is an allowance. Writes use a body that changes nothing lasting (the same title, a stale version, an
/// invalid value the action refuses only after checking the caller), or, where no such body exists (deleting,
/// archiving), run one by one after the others on a fresh target or with the project put back afterwards.
/// In the blind, assigned and dynamic projects no answer to the annotator may carry Ben's work (his span and link
/// notes and ids), whatever route it comes through.
/// </summary>
public partial class AuthorizationMatrixTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    public enum Role { Anonymous, Outsider, Annotator, Reviewer, Manager, Admin }

    /// <summary>
    /// open: free mode, annotators see each other; blind: annotators see only their own; archived: open and read-only;
    /// assigned and dynamic: the target document is assigned to Ben, not to the annotator (Ana).
    /// </summary>
    public enum Kind { Open, Blind, Archived, Assigned, Dynamic }

    private delegate bool Rule(Role role, Kind kind);

    private static readonly Rule Anyone = (_, _) => true;
    private static readonly Rule SignedIn = (r, _) => r != Role.Anonymous;
    private static readonly Rule AdminOnly = (r, _) => r == Role.Admin;
    /// <summary>Site admins act as managers in every project without being members.</summary>
    private static readonly Rule Member = (r, _) => r >= Role.Annotator;
    private static readonly Rule Staff = (r, _) => r >= Role.Reviewer;
    private static readonly Rule Manager = (r, _) => r >= Role.Manager;
    /// <summary>Routes about the target document: an annotator it is not assigned to hears 404.</summary>
    private static readonly Rule OnDocument = (r, k) => Member(r, k) && !(r == Role.Annotator && k is Kind.Assigned or Kind.Dynamic);
    /// <summary>Routes about Ben's span or link: hidden from the annotator in blind projects and on a document not theirs.</summary>
    private static readonly Rule OthersWork = (r, k) => OnDocument(r, k) && !(r == Role.Annotator && k == Kind.Blind);
    /// <summary>
    /// Changing or deleting Ben's span or link: only its author may (reviewers curate into a layer of their own, managers
    /// reset someone's work as a whole), so no role here passes.
    /// </summary>
    private static readonly Rule ChangeOthersWork = (_, _) => false;

    /// <summary>
    /// How an entry runs: with the others at once; alone after them (it changes what later cells see, or it updates one
    /// account, which Identity refuses with a concurrency failure when five cells do it at once); last, one by one
    /// (sign-out, and Identity's manage routes, which may renew the account's security stamp and so end its page
    /// session); or not over HTTP at all (the hub's own transport routes, whose methods are the hub cells).
    /// </summary>
    private enum Phase { Parallel, Alone, Last, HubTransport }

    private sealed record Request(string Path, HttpContent? Body = null);

    private sealed record Entry(string Method, string Pattern, Rule Rule, Func<World, Role, Kind, bool, Task<Request>> Make,
        Phase Phase = Phase.Parallel, bool AnyAnswer = false)
    {
        public string Key => $"{Method} {Pattern}";
        public bool IsPage => !Pattern.StartsWith("api/", StringComparison.Ordinal);
    }

    private const string Secret = "ben-private-note";
    private const string TextA = "The Coast Guard said all 212 passengers were rescued on Tuesday evening off Kestrel Bay.";
    private const string TextB = "Harbour officials said around 180 passengers were aboard the ferry when the fire began.";

    // ---- the table ----------------------------------------------------------------------------------------------

    private static Entry Get(string pattern, Rule rule, Func<Scene, string> path) =>
        new("GET", pattern, rule, (w, _, k, _) => Task.FromResult(new Request(path(w[k]))));

    private static Entry Json(string method, string pattern, Rule rule, Func<Scene, string> path, Func<Scene, object> body, Phase phase = Phase.Parallel) =>
        new(method, pattern, rule, (w, _, k, _) => Task.FromResult(new Request(path(w[k]), JsonContent.Create(body(w[k])))), phase);

    private static Entry Form(string pattern, Rule rule, Func<Scene, string> path, Func<Scene, Dictionary<string, string>>? fields = null, Phase phase = Phase.Parallel) =>
        new("POST", pattern, rule, (w, _, k, _) => Task.FromResult(new Request(path(w[k]), new FormUrlEncodedContent(fields?.Invoke(w[k]) ?? []))), phase);

    /// <summary>A write with no harmless form: an allowed cell gets a target of its own (<paramref name="fresh"/>).</summary>
    private static Entry Fresh(string method, string pattern, Rule rule, Func<Scene, string> target, Func<World, Scene, Task<string>> fresh,
        Func<string, string> path, bool form = false, bool archivedToo = false) =>
        new(method, pattern, rule, async (w, _, k, allowed) =>
        {
            // An archived project refuses the change (and making the fresh target) unless archivedToo says it allows it.
            var id = allowed && (k != Kind.Archived || archivedToo) ? await fresh(w, w[k]) : target(w[k]);
            return new Request(path(id), form ? new FormUrlEncodedContent([]) : null);
        }, Phase.Alone);

    private static readonly Entry[] Routes =
    [
        // Accounts: the sign-in machinery answers everyone (refusing bad credentials is its function).
        Get("account/login", Anyone, _ => "/account/login"),
        Form("account/login", Anyone, _ => "/account/login", _ => new() { ["Email"] = "nobody@test.example", ["Password"] = "wrong password" }),
        Get("account/register", Anyone, _ => "/account/register"),
        Form("account/register", Anyone, _ => "/account/register", _ => new() { ["Email"] = "not an email", ["Password"] = "x" }),
        new("POST", "account/logout", Anyone, (_, _, _, _) => Task.FromResult(new Request("/account/logout", new FormUrlEncodedContent([]))),
            Phase.Last, AnyAnswer: true),
        Get("account", SignedIn, _ => "/account"),
        Form("account/name", SignedIn, _ => "/account/name", _ => new() { ["Name.DisplayName"] = "" }),
        Form("account/password", SignedIn, _ => "/account/password", _ => new() { ["Password.Current"] = "not the password", ["Password.New"] = "x", ["Password.Confirm"] = "y" }),
        Get("admin/users", AdminOnly, _ => "/admin/users"),
        Form("admin/users/{id}/disable", AdminOnly, s => $"/admin/users/{s.World.VictimId}/disable", phase: Phase.Alone),
        Form("admin/users/{id}/enable", AdminOnly, s => $"/admin/users/{s.World.VictimId}/enable", phase: Phase.Alone),
        Form("admin/users/{id}/password", AdminOnly, s => $"/admin/users/{s.World.VictimId}/password", phase: Phase.Alone),
        Form("admin/users/{id}/admin", AdminOnly, s => $"/admin/users/{s.World.VictimId}/admin", phase: Phase.Alone),
        Form("admin/users/{id}/unadmin", AdminOnly, s => $"/admin/users/{s.World.VictimId}/unadmin", phase: Phase.Alone),
        Json("POST", "api/auth/register", Anyone, _ => "/api/auth/register", _ => new { email = "not an email", password = "x" }) with { AnyAnswer = true },
        Json("POST", "api/auth/login", Anyone, _ => "/api/auth/login", _ => new { email = "nobody@test.example", password = "wrong" }) with { AnyAnswer = true },
        Json("POST", "api/auth/refresh", Anyone, _ => "/api/auth/refresh", _ => new { refreshToken = "not a token" }) with { AnyAnswer = true },
        Get("api/auth/confirmEmail", Anyone, _ => "/api/auth/confirmEmail?userId=nobody&code=x") with { AnyAnswer = true },
        Json("POST", "api/auth/resendConfirmationEmail", Anyone, _ => "/api/auth/resendConfirmationEmail", _ => new { email = "nobody@test.example" }) with { AnyAnswer = true },
        Json("POST", "api/auth/forgotPassword", Anyone, _ => "/api/auth/forgotPassword", _ => new { email = "nobody@test.example" }) with { AnyAnswer = true },
        Json("POST", "api/auth/resetPassword", Anyone, _ => "/api/auth/resetPassword", _ => new { email = "nobody@test.example", resetCode = "x", newPassword = "x" }) with { AnyAnswer = true },
        Json("POST", "api/auth/manage/2fa", SignedIn, _ => "/api/auth/manage/2fa", _ => new { }, Phase.Last),
        Get("api/auth/manage/info", SignedIn, _ => "/api/auth/manage/info"),
        Json("POST", "api/auth/manage/info", SignedIn, _ => "/api/auth/manage/info", _ => new { oldPassword = "not the password", newPassword = "x" }, Phase.Last),

        // Platform.
        Get("healthz", Anyone, _ => "/healthz"),
        Get("openapi/{documentName}.json", Anyone, _ => "/openapi/v1.json"),
        // Hangfire serves its pages and its forms under one route of any method; requested with GET.
        new("*", "jobs/dashboard/{**path}", AdminOnly, (_, _, _, _) => Task.FromResult(new Request("/jobs/dashboard"))),
        Get("jobs", SignedIn, _ => "/jobs"),
        Form("jobs/export/{id:long}/retry", Manager, s => $"/jobs/export/{s.Export}/retry"),
        Form("jobs/agreement/{id:long}/retry", Manager, s => $"/jobs/agreement/{s.Report}/retry"),
        new("*", "hubs/annotations", SignedIn, (_, _, _, _) => throw new InvalidOperationException(), Phase.HubTransport),
        new("*", "hubs/annotations/negotiate", SignedIn, (_, _, _, _) => throw new InvalidOperationException(), Phase.HubTransport),

        // Projects.
        Get("", SignedIn, _ => "/"),
        Get("projects", SignedIn, _ => "/projects"),
        Form("projects", SignedIn, _ => "/projects", _ => new() { ["name"] = "" }),
        Get("projects/{id:long}", Member, s => $"/projects/{s.Project}"),
        Form("projects/{id:long}/import", Manager, s => $"/projects/{s.Project}/import"),
        Form("projects/{id:long}/members", Manager, s => $"/projects/{s.Project}/members", s => new() { ["email"] = s.World.Email[Role.Reviewer], ["role"] = "Reviewer" }),
        Form("projects/{id:long}/members/{userId}/role", Manager, s => $"/projects/{s.Project}/members/{s.World.Id[Role.Reviewer]}/role", _ => new() { ["role"] = "Reviewer" }),
        Fresh("POST", "projects/{id:long}/members/{userId}/remove", Manager, s => $"{s.Project}/{s.World.Id[Role.Reviewer]}", (w, s) => w.FreshMemberAsync(s),
            id => $"/projects/{id.Split('/')[0]}/members/{id.Split('/')[1]}/remove", form: true),
        Form("projects/{id:long}/labels", Manager, s => $"/projects/{s.Project}/labels", _ => new() { ["kind"] = "Entity", ["name"] = "" }),
        Fresh("POST", "projects/{id:long}/labels/{labelId:long}/delete", Manager, s => $"{s.Project}/{s.Label}", (w, s) => w.FreshLabelAsync(s),
            id => $"/projects/{id.Split('/')[0]}/labels/{id.Split('/')[1]}/delete", form: true),
        Form("projects/{id:long}/guidelines", Manager, s => $"/projects/{s.Project}/guidelines", _ => new() { ["guidelines"] = "" }),
        Form("projects/{id:long}/guidelines/preview", Manager, s => $"/projects/{s.Project}/guidelines/preview", _ => new() { ["guidelines"] = "*x*" }),
        Form("projects/{id:long}/settings", Manager, s => $"/projects/{s.Project}/settings", _ => new() { ["name"] = "" }, Phase.Alone),
        Form("projects/{id:long}/archive", Manager, s => $"/projects/{s.Project}/archive", phase: Phase.Alone),
        Form("projects/{id:long}/unarchive", Manager, s => $"/projects/{s.Project}/unarchive", phase: Phase.Alone),
        Get("api/projects", SignedIn, _ => "/api/projects"),
        Json("POST", "api/projects", SignedIn, _ => "/api/projects", _ => new { name = "" }),
        Get("api/projects/{id:long}", Member, s => $"/api/projects/{s.Project}"),
        Json("PATCH", "api/projects/{id:long}", Manager, s => $"/api/projects/{s.Project}", _ => new { }),
        Get("api/projects/{id:long}/members", Member, s => $"/api/projects/{s.Project}/members"),
        Json("POST", "api/projects/{id:long}/members", Manager, s => $"/api/projects/{s.Project}/members", s => new { email = s.World.Email[Role.Reviewer], role = "reviewer" }),
        Json("PUT", "api/projects/{id:long}/members/{userId}", Manager, s => $"/api/projects/{s.Project}/members/{s.World.Id[Role.Reviewer]}", _ => new { role = "reviewer" }),
        Fresh("DELETE", "api/projects/{id:long}/members/{userId}", Manager, s => $"{s.Project}/{s.World.Id[Role.Reviewer]}", (w, s) => w.FreshMemberAsync(s),
            id => $"/api/projects/{id.Split('/')[0]}/members/{id.Split('/')[1]}"),
        Json("POST", "api/projects/{id:long}/archive", Manager, s => $"/api/projects/{s.Project}/archive", _ => new { }, Phase.Alone),
        Json("POST", "api/projects/{id:long}/unarchive", Manager, s => $"/api/projects/{s.Project}/unarchive", _ => new { }, Phase.Alone),

        // Documents.
        Get("documents/{id:long}", OnDocument, s => $"/documents/{s.DocB}"),
        Get("projects/{projectId:long}/compare", OnDocument, s => $"/projects/{s.Project}/compare?left={s.DocA}&right={s.DocB}"),
        Form("documents/{id:long}/rename", Manager, s => $"/documents/{s.DocB}/rename", _ => new() { ["title"] = "" }),
        Get("documents/{id:long}/delete", Manager, s => $"/documents/{s.DocB}/delete"),
        Form("documents/{id:long}/delete", Manager, s => $"/documents/{s.DocB}/delete", _ => new() { ["confirmed"] = "false" }),
        Get("api/projects/{projectId:long}/documents", Member, s => $"/api/projects/{s.Project}/documents"),
        new("POST", "api/projects/{projectId:long}/documents", Manager, (w, _, k, _) => Task.FromResult(new Request($"/api/projects/{w[k].Project}/documents",
            new MultipartFormDataContent { { new StringContent("A short article the import cell adds."), "files", "added.txt" } }))),
        Get("api/documents/{id:long}", OnDocument, s => $"/api/documents/{s.DocB}"),
        Json("PATCH", "api/documents/{id:long}", Manager, s => $"/api/documents/{s.DocB}", _ => new { title = "" }),
        Fresh("DELETE", "api/documents/{id:long}", Manager, s => s.DocB.ToString(), (w, s) => w.FreshDocumentAsync(s), id => $"/api/documents/{id}"),

        // Spans, links, claims, the change log and document states.
        Get("api/documents/{documentId:long}/annotations", OnDocument, s => $"/api/documents/{s.DocB}/annotations"),
        Json("POST", "api/documents/{documentId:long}/annotations", OnDocument, s => $"/api/documents/{s.DocB}/annotations",
            _ => new { layer = "entity", label = "NO_SUCH_LABEL", start = 0, end = 3 }),
        Get("api/annotations/{id:guid}", OthersWork, s => $"/api/annotations/{s.BenSpan}"),
        Json("PATCH", "api/annotations/{id:guid}", ChangeOthersWork, s => $"/api/annotations/{s.BenSpan}", _ => new { note = "stale", version = 999 }),
        new("DELETE", "api/annotations/{id:guid}", ChangeOthersWork, (w, _, k, _) => Task.FromResult(new Request($"/api/annotations/{w[k].BenSpan}?version=999"))),
        Get("api/projects/{projectId:long}/relations", Member, s => $"/api/projects/{s.Project}/relations"),
        Json("POST", "api/projects/{projectId:long}/relations", Member, s => $"/api/projects/{s.Project}/relations", _ => new { type = "no-such-type" }),
        new("DELETE", "api/relations/{id:guid}", ChangeOthersWork, (w, _, k, _) => Task.FromResult(new Request($"/api/relations/{w[k].BenLink}?version=999"))),
        Get("api/projects/{projectId:long}/claims", Member, s => $"/api/projects/{s.Project}/claims?q=passengers"),
        Get("api/projects/{projectId:long}/events", Member, s => $"/api/projects/{s.Project}/events?after=0"),
        Get("api/documents/{documentId:long}/states", OnDocument, s => $"/api/documents/{s.DocB}/states"),
        Json("PUT", "api/documents/{documentId:long}/status", OnDocument, s => $"/api/documents/{s.DocB}/status", _ => new { status = "in_progress" }),

        // Workflow.
        Get("projects/{projectId:long}/assignments", Manager, s => $"/projects/{s.Project}/assignments"),
        Form("projects/{projectId:long}/assignments", Manager, s => $"/projects/{s.Project}/assignments", _ => new() { ["kind"] = "annotate", ["assigned"] = "true" }),
        Form("projects/{projectId:long}/assignments/spread", Manager, s => $"/projects/{s.Project}/assignments/spread", _ => new() { ["annotatorsPerDocument"] = "none" }),
        Form("documents/{documentId:long}/reopen", Manager, s => $"/documents/{s.DocB}/reopen", s => new() { ["userId"] = s.World.Id[Role.Outsider] }),
        Get("projects/{projectId:long}/progress", Staff, s => $"/projects/{s.Project}/progress"),
        Form("documents/{documentId:long}/reset", Manager, s => $"/documents/{s.DocB}/reset", s => new() { ["userId"] = s.World.Id[Role.Outsider], ["confirm"] = "false" }),
        Get("projects/{projectId:long}/my-work", Member, s => $"/projects/{s.Project}/my-work"),
        Form("projects/{projectId:long}/next-document", Member, s => $"/projects/{s.Project}/next-document", s => new() { ["current"] = s.DocA.ToString() }, Phase.Alone),
        Get("api/projects/{projectId:long}/assignments", Member, s => $"/api/projects/{s.Project}/assignments"),
        Json("PUT", "api/projects/{projectId:long}/assignments", Manager, s => $"/api/projects/{s.Project}/assignments", _ => new { documents = Array.Empty<long>(), users = Array.Empty<string>(), kind = "annotate", assigned = true }),
        Json("POST", "api/projects/{projectId:long}/assignments/spread", Manager, s => $"/api/projects/{s.Project}/assignments/spread", _ => new { annotatorsPerDocument = -1 }),
        Json("POST", "api/projects/{projectId:long}/next-document", Member, s => $"/api/projects/{s.Project}/next-document", s => new { current = s.DocA }, Phase.Alone),
        Get("api/projects/{projectId:long}/my-work", Member, s => $"/api/projects/{s.Project}/my-work"),
        Json("POST", "api/documents/{documentId:long}/reopen", Manager, s => $"/api/documents/{s.DocB}/reopen", s => new { userId = s.World.Id[Role.Outsider] }),
        Get("api/projects/{projectId:long}/progress", Staff, s => $"/api/projects/{s.Project}/progress"),
        Get("api/projects/{projectId:long}/progress/documents", Staff, s => $"/api/projects/{s.Project}/progress/documents"),
        Get("api/projects/{projectId:long}/progress/annotators", Staff, s => $"/api/projects/{s.Project}/progress/annotators"),
        Get("api/projects/{projectId:long}/progress.csv", Staff, s => $"/api/projects/{s.Project}/progress.csv"),
        Json("POST", "api/documents/{documentId:long}/reset", Manager, s => $"/api/documents/{s.DocB}/reset", s => new { userId = s.World.Id[Role.Outsider], confirm = false }),

        // Agreement.
        Get("projects/{projectId:long}/agreement", Staff, s => $"/projects/{s.Project}/agreement"),
        Form("projects/{projectId:long}/agreement", Manager, s => $"/projects/{s.Project}/agreement", _ => new() { ["scope"] = "none" }),
        Json("POST", "api/projects/{projectId:long}/agreement", Manager, s => $"/api/projects/{s.Project}/agreement", _ => new { }),
        Get("api/projects/{projectId:long}/agreement", Staff, s => $"/api/projects/{s.Project}/agreement"),
        Get("api/agreement-reports/{id:long}", Staff, s => $"/api/agreement-reports/{s.Report}"),
        Get("api/agreement-reports/{id:long}/csv", Staff, s => $"/api/agreement-reports/{s.Report}/csv"),
        Json("POST", "api/agreement-reports/{id:long}/retry", Manager, s => $"/api/agreement-reports/{s.Report}/retry", _ => new { }),
        // The calculator works on the data sent, no project's: anyone signed in.
        Json("POST", "api/agreement", SignedIn, _ => "/api/agreement", _ => new { }),
        Json("POST", "api/agreement/unitizing", SignedIn, _ => "/api/agreement/unitizing", _ => new { }),
        Json("POST", "api/agreement/spans", SignedIn, _ => "/api/agreement/spans", _ => new { }),

        // Review.
        Get("documents/{id:long}/review", Staff, s => $"/documents/{s.DocB}/review"),
        Get("projects/{id:long}/conflicts", Staff, s => $"/projects/{s.Project}/conflicts"),
        Get("projects/{id:long}/consistency", Staff, s => $"/projects/{s.Project}/consistency"),
        Get("projects/{id:long}/corrections", Member, s => $"/projects/{s.Project}/corrections"),
        Get("api/documents/{documentId:long}/review", Staff, s => $"/api/documents/{s.DocB}/review"),
        Json("POST", "api/documents/{documentId:long}/review/decisions", Staff, s => $"/api/documents/{s.DocB}/review/decisions", _ => new { action = "no-such-action" }),
        Json("POST", "api/review/decisions/{decisionId:long}/undo", Staff, s => $"/api/review/decisions/{s.Decision}/undo", _ => new { }, Phase.Alone),
        Json("POST", "api/review/decisions/{decisionId:long}/redo", Staff, s => $"/api/review/decisions/{s.Decision}/redo", _ => new { }, Phase.Alone),
        Json("PUT", "api/documents/{documentId:long}/curation", Staff, s => $"/api/documents/{s.DocB}/curation", _ => new { state = "no-such-state" }),
        Get("api/projects/{projectId:long}/conflicts", Staff, s => $"/api/projects/{s.Project}/conflicts"),
        Get("api/projects/{projectId:long}/consistency", Staff, s => $"/api/projects/{s.Project}/consistency"),
        Get("api/projects/{projectId:long}/corrections", Member, s => $"/api/projects/{s.Project}/corrections"),

        // Exports.
        Get("projects/{projectId:long}/exports", Manager, s => $"/projects/{s.Project}/exports"),
        Form("projects/{projectId:long}/exports", Manager, s => $"/projects/{s.Project}/exports", _ => new() { ["format"] = "no-such-format" }),
        Json("POST", "api/projects/{projectId:long}/exports", Manager, s => $"/api/projects/{s.Project}/exports", _ => new { format = "no-such-format" }),
        Get("api/projects/{projectId:long}/exports", Manager, s => $"/api/projects/{s.Project}/exports"),
        Get("api/exports/{id:long}", Manager, s => $"/api/exports/{s.Export}"),
        Get("api/exports/{id:long}/file", Manager, s => $"/api/exports/{s.Export}/file"),
        Fresh("DELETE", "api/exports/{id:long}", Manager, s => s.Export.ToString(), (w, s) => w.FreshExportAsync(s), id => $"/api/exports/{id}", archivedToo: true),
    ];

    /// <summary>Each public method of the hub, its rule and its arguments (Ben's span and link, the target document).</summary>
    private static readonly (string Method, Rule Rule, Func<Scene, object?[]> Arguments)[] HubMethods =
    [
        ("WatchWork", Member, s => [s.Project]),
        ("WatchJobs", Manager, s => [s.Project]),
        ("JoinDocument", OnDocument, s => [s.DocB, 0L]),
        // Leaving a group one never joined changes nothing: anyone connected may.
        ("LeaveDocument", SignedIn, s => [s.DocB]),
        ("CreateAnnotation", OnDocument, s => [s.DocB, new { layer = "entity", label = "NO_SUCH_LABEL", start = 0, end = 3 }]),
        ("UpdateAnnotation", ChangeOthersWork, s => [s.BenSpan, new { note = "stale", version = 999 }]),
        ("DeleteAnnotation", ChangeOthersWork, s => [s.BenSpan, 999]),
        ("CreateRelation", Member, s => [s.Project, new { type = "no-such-type" }]),
        ("DeleteRelation", ChangeOthersWork, s => [s.BenLink, 999]),
        ("SetDocumentStatus", OnDocument, s => [s.DocB, "in_progress"]),
    ];

    // ---- the test -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Every_route_and_hub_method_lets_in_exactly_the_roles_its_entry_names_in_every_kind_of_project()
    {
        await using var world = await World.BuildAsync(factory);
        var failures = new ConcurrentBag<string>();

        // 1. Every endpoint of the app has an entry, and every entry is still an endpoint.
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText?.Trim('/')}")
            .ToHashSet();
        var keys = Routes.Select(r => r.Key).ToHashSet();
        foreach (var missing in endpoints.Except(keys).Order())
            failures.Add($"Route {missing} is served by the app but has no entry in AuthorizationMatrixTests.Routes: add one with the roles it lets in.");
        foreach (var gone in keys.Except(endpoints).Order())
            failures.Add($"Route {gone} has an entry in AuthorizationMatrixTests.Routes but the app no longer serves it.");
        var hubMethods = typeof(AnnotationHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(AnnotationHub)).Select(m => m.Name).ToHashSet();
        foreach (var missing in hubMethods.Except(HubMethods.Select(h => h.Method)).Order())
            failures.Add($"Hub method AnnotationHub.{missing} has no entry in AuthorizationMatrixTests.HubMethods: add one with the roles it lets in.");

        // 2. Every cell, requested for real: the harmless ones at once, the ones that change the project one by one after.
        var cells = (from entry in Routes
                     where entry.Phase != Phase.HubTransport
                     from kind in Enum.GetValues<Kind>()
                     from role in Enum.GetValues<Role>()
                     select (entry, kind, role)).ToList();
        using (var gate = new SemaphoreSlim(6))
            await Task.WhenAll(cells.Where(c => c.entry.Phase == Phase.Parallel).Select(async c =>
            {
                await gate.WaitAsync();
                try { await RunCellAsync(world, c.entry, c.kind, c.role, failures); }
                finally { gate.Release(); }
            }));
        foreach (var c in cells.Where(c => c.entry.Phase == Phase.Alone)) await RunCellAsync(world, c.entry, c.kind, c.role, failures);
        await Task.WhenAll(Enum.GetValues<Kind>().SelectMany(kind => Enum.GetValues<Role>().Select(role => RunHubCellsAsync(world, kind, role, failures))));
        foreach (var c in cells.Where(c => c.entry.Phase == Phase.Last)) await RunCellAsync(world, c.entry, c.kind, c.role, failures);

        Assert.True(failures.IsEmpty, $"{failures.Count} cells of the authorisation matrix disagree:\n" + string.Join("\n", failures.Order()));
    }

    private static async Task RunCellAsync(World world, Entry entry, Kind kind, Role role, ConcurrentBag<string> failures)
    {
        var expected = entry.Rule(role, kind);
        var made = await entry.Make(world, role, kind, expected);
        var who = world.Clients[role];
        var http = entry.IsPage ? who.Browser : who.Api;
        var request = new HttpRequestMessage(new HttpMethod(entry.Method == "*" ? "GET" : entry.Method), made.Path) { Content = made.Body };
        if (entry.IsPage) request.Headers.Accept.ParseAdd("text/html");
        if (entry.IsPage && made.Body is FormUrlEncodedContent form)
        {
            var fields = Regex.Matches(await form.ReadAsStringAsync(), "([^&=]+)=([^&]*)")
                .ToDictionary(m => WebUtility.UrlDecode(m.Groups[1].Value), m => WebUtility.UrlDecode(m.Groups[2].Value));
            fields["__RequestVerificationToken"] = who.FormToken;
            request.Content = new FormUrlEncodedContent(fields);
        }
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var cell = $"{entry.Key} as {role} in the {kind.ToString().ToLowerInvariant()} project";
        var status = (int)response.StatusCode;
        if (status >= 500) { failures.Add($"{cell}: answered {status}: {Short(body)}"); return; }
        var denied = status is 401 or 403 or 404
            || status is 302 or 303 && response.Headers.Location?.OriginalString.Contains("/account/login", StringComparison.Ordinal) == true && !entry.AnyAnswer;
        if (entry.AnyAnswer) denied = false;
        if (denied == expected) failures.Add($"{cell}: expected {(expected ? "allowed" : "denied")}, answered {status} {response.Headers.Location} {Short(body)}");
        if (!denied) world.CheckNoLeak(cell, role, kind, body, failures);
        await world.RestoreAsync(kind, entry.Phase);
    }

    private static async Task RunHubCellsAsync(World world, Kind kind, Role role, ConcurrentBag<string> failures)
    {
        var live = world.Live.GetValueOrDefault(role);
        foreach (var (method, rule, arguments) in HubMethods)
        {
            var cell = $"hub {method} as {role} in the {kind.ToString().ToLowerInvariant()} project";
            var expected = rule(role, kind);
            if (live is null)
            {
                // Anonymous: the hub refuses the connection itself (checked once in World.BuildAsync).
                if (expected) failures.Add($"{cell}: expected allowed, but anonymous callers cannot connect");
                continue;
            }
            bool denied;
            string answer;
            try
            {
                System.Text.Json.JsonElement? result = await live.CallAsync(method, arguments(world[kind]));
                answer = result.Value.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "" : result.Value.GetRawText();
                denied = result is { ValueKind: System.Text.Json.JsonValueKind.Object } r && r.TryGetProperty("ok", out var ok) && !ok.GetBoolean()
                    && r.GetProperty("status").GetInt32() is 401 or 403 or 404;
                if (result is { ValueKind: System.Text.Json.JsonValueKind.Object } e && e.TryGetProperty("status", out var s) && s.GetInt32() >= 500)
                { failures.Add($"{cell}: answered status {s.GetInt32()}: {Short(answer)}"); continue; }
            }
            catch (HubException refused)
            {
                // SignalR sends a HubException's message as "An unexpected error occurred invoking ... HubException: <why>"; any
                // other exception type is a failure of the server, not a refusal.
                if (!refused.Message.Contains("HubException:", StringComparison.Ordinal)) { failures.Add($"{cell}: failed: {refused.Message}"); continue; }
                denied = true;
                answer = refused.Message;
            }
            if (denied == expected) failures.Add($"{cell}: expected {(expected ? "allowed" : "denied")}, answered {Short(answer)}");
            if (!denied) world.CheckNoLeak(cell, role, kind, answer, failures);
        }
    }

    private static string Short(string body) => body.Length > 300 ? body[..300] + "…" : body;

    // ---- the seeded world ---------------------------------------------------------------------------------------

    /// <summary>One project of a kind and the ids its cells fill route parameters with.</summary>
    private sealed class Scene
    {
        public required World World { get; init; }
        public long Project { get; init; }
        public long DocA { get; init; }
        public long DocB { get; init; }
        public Guid BenSpan { get; init; }
        public Guid BenLink { get; init; }
        public long Label { get; init; }
        public long Export { get; init; }
        public long Report { get; init; }
        public long Decision { get; init; }
        /// <summary>The project's state as seeded, put back after a cell that may change it (archive, settings).</summary>
        public (DateTimeOffset? ArchivedAt, Visibility Visibility, AssignmentMode Assignment, int PerDocument, string Name) Seeded { get; set; }
    }

    private sealed record Person(HttpClient Api, HttpClient Browser, string FormToken);

    /// <summary>
    /// Disposed at the test's end, so its hub connections close then rather than at the app node's stop: while they were
    /// left open, the class's cleanup failed now and then in full runs (an OperationCanceledException from the node's stop).
    /// </summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly LiveFactory factory;
        private readonly Dictionary<Kind, Scene> scenes = [];
        public Dictionary<Role, Person> Clients { get; } = [];
        public Dictionary<Role, string> Email { get; } = [];
        public Dictionary<Role, string> Id { get; } = [];
        public Dictionary<Role, LiveClient> Live { get; } = [];
        public string VictimId { get; private set; } = "";
        private SignedInClient lead = null!, ben = null!, rita = null!;
        private string benId = "";
        private readonly List<string> secrets = [Secret];

        private World(LiveFactory factory) => this.factory = factory;

        public Scene this[Kind kind] => scenes[kind];

        private HttpClient NewClient(bool cookies) =>
            new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = cookies, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(factory.BaseUrl) };

        private async Task<(string Email, string Id)> AccountAsync(string who, bool admin = false)
        {
            var email = AnnotateFactory.NewEmail(who);
            using var scope = factory.Services.CreateScope();
            var (user, error) = await AccountCommands.CreateOrResetAsync(scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>(),
                scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>(), email, AnnotateFactory.Password, admin);
            return (email, user?.Id ?? throw new InvalidOperationException(error));
        }

        private async Task<Person> PersonAsync(string? email)
        {
            var api = NewClient(cookies: false);
            var browser = NewClient(cookies: true);
            if (email is null) return new Person(api, browser, await browser.FormTokenAsync("/account/login"));
            await AnnotateFactory.AuthorizeAsync(api, email, AnnotateFactory.Password);
            var signedIn = await browser.PostFormAsync("/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password });
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            return new Person(api, browser, await browser.FormTokenAsync("/account"));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var live in Live.Values) await live.DisposeAsync();
        }

        public static async Task<World> BuildAsync(LiveFactory factory)
        {
            var world = new World(factory);
            await world.BuildAsync();
            return world;
        }

        private async Task BuildAsync()
        {
            Clients[Role.Anonymous] = await PersonAsync(null);
            foreach (var role in Enum.GetValues<Role>().Where(r => r != Role.Anonymous))
            {
                (Email[role], Id[role]) = await AccountAsync(role.ToString().ToLowerInvariant(), admin: role == Role.Admin);
                Clients[role] = await PersonAsync(Email[role]);
                Live[role] = await LiveClient.ConnectAsync(factory.BaseUrl, ((AuthenticationHeaderValue)Clients[role].Api.DefaultRequestHeaders.Authorization!).Parameter!);
            }
            var (benEmail, benUserId) = await AccountAsync("ben");
            benId = benUserId;
            (_, VictimId) = await AccountAsync("victim");
            lead = Signed(Role.Manager);
            rita = Signed(Role.Reviewer);
            ben = new SignedInClient(NewClient(false), benEmail, "");
            await AnnotateFactory.AuthorizeAsync(ben.Http, benEmail, AnnotateFactory.Password);

            // Anonymous callers cannot open the hub at all.
            await Assert.ThrowsAnyAsync<Exception>(() => LiveClient.ConnectAsync(factory.BaseUrl, "not-a-token"));

            await Task.WhenAll(Enum.GetValues<Kind>().Select(SceneAsync));
        }

        private SignedInClient Signed(Role role) => new(Clients[role].Api, Email[role], "");

        private async Task SceneAsync(Kind kind)
        {
            var project = await lead.ProjectAsync(visibility: kind == Kind.Blind ? "blind" : "open",
                members: [(Signed(Role.Reviewer), "reviewer"), (Signed(Role.Annotator), "annotator"), (ben, "annotator")]);
            var docs = await lead.DocumentsAsync(project, ("a.txt", TextA), ("b.txt", TextB));
            var span = await ben.SpanAsync(docs[1], "claim", "CLAIM", 0, 17, note: Secret);
            var other = await ben.SpanAsync(docs[1], "claim", "CLAIM", 18, 44, note: Secret);
            var link = await ben.LinkAsync(project, "contradicts", span.Id, other.Id, note: Secret);
            await Signed(Role.Annotator).SpanAsync(docs[0], "entity", "ORGANIZATION", 4, 15);
            lock (secrets) secrets.AddRange([span.Id.ToString(), other.Id.ToString(), link.Id.ToString()]);

            var review = await (await rita.Http.GetAsync($"/api/documents/{docs[1]}/review")).ReadAsync<System.Text.Json.JsonElement>();
            var unit = review.GetProperty("units").EnumerateArray().First();
            var decision = await (await rita.Http.PostAsJsonAsync($"/api/documents/{docs[1]}/review/decisions",
                new { action = "accept", unit = unit.GetProperty("id").GetString(), annotatorId = benId, version = unit.GetProperty("version").GetInt32() }))
                .ReadAsync<System.Text.Json.JsonElement>();
            var export = await lead.Http.ExportAsync(project, new { format = "annotate-jsonl" });
            var report = await (await lead.Http.PostAsJsonAsync($"/api/projects/{project}/agreement", new { })).ReadAsync<System.Text.Json.JsonElement>();

            if (kind is Kind.Assigned or Kind.Dynamic)
            {
                await (await lead.Http.PatchAsJsonAsync($"/api/projects/{project}", new { assignment = kind.ToString().ToLowerInvariant(), annotatorsPerDocument = 1 }))
                    .ReadAsync<System.Text.Json.JsonElement>();
                await Assign(project, docs[0], Id[Role.Annotator]);
                await Assign(project, docs[1], benId);
            }
            if (kind == Kind.Archived) (await lead.Http.PostAsync($"/api/projects/{project}/archive", null)).EnsureSuccessStatusCode();

            long label;
            using (var scope = factory.Services.CreateScope())
                label = await scope.ServiceProvider.GetRequiredService<AppDbContext>().LabelDefinitions.Where(l => l.ProjectId == project).Select(l => l.Id).FirstAsync();
            var scene = new Scene
            {
                World = this, Project = project, DocA = docs[0], DocB = docs[1], BenSpan = span.Id, BenLink = link.Id, Label = label,
                Export = export.GetProperty("id").GetInt64(), Report = report.GetProperty("id").GetInt64(),
                Decision = decision.GetProperty("decision").GetProperty("id").GetInt64(),
            };
            lock (scenes) scenes[kind] = scene;
            await SnapshotAsync(scene);
        }

        private async Task Assign(long project, long document, string userId) =>
            await (await lead.Http.PutAsJsonAsync($"/api/projects/{project}/assignments",
                new { documents = new[] { document }, users = new[] { userId }, kind = "annotate", assigned = true })).ReadAsync<System.Text.Json.JsonElement>();

        private async Task SnapshotAsync(Scene scene)
        {
            using var scope = factory.Services.CreateScope();
            var p = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Projects.AsNoTracking().FirstAsync(p => p.Id == scene.Project);
            scene.Seeded = (p.ArchivedAt, p.Visibility, p.Assignment, p.AnnotatorsPerDocument, p.Name);
        }

        /// <summary>After a cell that runs alone: the project as seeded again (archived or not, its visibility and mode).</summary>
        public async Task RestoreAsync(Kind kind, Phase phase)
        {
            if (phase != Phase.Alone) return;
            var scene = scenes[kind];
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var p = await db.Projects.FirstAsync(p => p.Id == scene.Project);
            (p.ArchivedAt, p.Visibility, p.Assignment, p.AnnotatorsPerDocument, p.Name) = scene.Seeded;
            await db.SaveChangesAsync();
        }

        public async Task<string> FreshDocumentAsync(Scene scene) =>
            (await lead.DocumentsAsync(scene.Project, ("spare.txt", "A spare article, deleted by the cell that made it.")))[0].ToString();

        public async Task<string> FreshMemberAsync(Scene scene)
        {
            var (email, id) = await AccountAsync("spare");
            await lead.AddMemberAsync(scene.Project, email);
            return $"{scene.Project}/{id}";
        }

        public async Task<string> FreshLabelAsync(Scene scene)
        {
            var name = "SPARE" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
            var lead = Clients[Role.Manager];
            var saved = await lead.Browser.PostAsync($"/projects/{scene.Project}/labels", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["kind"] = "Entity", ["name"] = name, ["colour"] = "#336699", ["__RequestVerificationToken"] = lead.FormToken }));
            Assert.True(saved.StatusCode is HttpStatusCode.Redirect, $"making a spare label answered {saved.StatusCode}");
            using var scope = factory.Services.CreateScope();
            var id = await scope.ServiceProvider.GetRequiredService<AppDbContext>().LabelDefinitions.Where(l => l.ProjectId == scene.Project && l.Name == name).Select(l => l.Id).FirstAsync();
            return $"{scene.Project}/{id}";
        }

        public async Task<string> FreshExportAsync(Scene scene)
        {
            var started = await (await lead.Http.PostAsJsonAsync($"/api/projects/{scene.Project}/exports", new { format = "annotate-jsonl" })).ReadAsync<System.Text.Json.JsonElement>();
            return started.GetProperty("id").GetInt64().ToString();
        }

        /// <summary>
        /// Blind projects, and documents not assigned to the annotator: nothing the annotator is answered may carry Ben's
        /// work (his notes, his span and link ids), through any route.
        /// </summary>
        public void CheckNoLeak(string cell, Role role, Kind kind, string body, ConcurrentBag<string> failures)
        {
            if (role != Role.Annotator || kind is Kind.Open or Kind.Archived) return;
            string[] all;
            lock (secrets) all = [.. secrets];
            foreach (var secret in all.Where(s => body.Contains(s, StringComparison.OrdinalIgnoreCase)))
                failures.Add($"{cell}: the annotator was shown another annotator's work ({secret}): {Short(body)}");
        }
    }
}
