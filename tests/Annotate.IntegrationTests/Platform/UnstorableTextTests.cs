using Annotate.IntegrationTests.LiveSync;

namespace Annotate.IntegrationTests.Platform;

/// <summary>
/// Text PostgreSQL cannot store (a NUL character, a lone UTF-16 surrogate) in any string field of any route, query
/// parameter or hub method answers 400 naming the field, and stores nothing. Each case is one row: a new route or
/// field is one more row (the security fuzzing adds its own rows to <see cref="RestCases"/>).
/// </summary>
public class UnstorableTextTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    private const string Text = "Officials said 212 were rescued. The company said 190 were.";

    /// <summary>JSON escapes, written as a client sends them: the server must read them, not a test helper's encoder.</summary>
    private const string Nul = "\\u0000", Lone = "\\ud800";

    /// <param name="Path">with {project}, {document}, {span}, {member} filled in from the fixture</param>
    /// <param name="Field">the field the answer must name</param>
    public record RestCase(string Method, string Path, string? Json, string Field, bool Anonymous = false);

    public static TheoryData<string, RestCase> RestCases() => new()
    {
        { "span attributes value with NUL", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"attributes":{"attributedTo":"a{{{Nul}}}b"}}""", "attributes.attributedTo") },
        { "span attributes key with NUL", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"attributes":{"a{{{Nul}}}b":"x"}}""", "attributes") },
        { "span attributes value with a lone surrogate", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"attributes":{"source":"{{{Lone}}}"}}""", "attributes.source") },
        { "span label with NUL", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"CLA{{{Nul}}}IM","start":0,"end":9}""", "label") },
        { "span label with a lone surrogate", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"{{{Lone}}}","start":0,"end":9}""", "label") },
        { "span note with NUL", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"note":"see{{{Nul}}}"}""", "note") },
        { "span text check with a lone surrogate", new("POST", "/api/documents/{document}/annotations", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"text":"{{{Lone}}}"}""", "text") },
        { "span update note with a lone surrogate", new("PATCH", "/api/annotations/{span}", $$$"""{"note":"x{{{Lone}}}","version":1}""", "note") },
        { "span update label with NUL", new("PATCH", "/api/annotations/{span}", $$$"""{"label":"{{{Nul}}}","version":1}""", "label") },
        { "span update attributes with NUL", new("PATCH", "/api/annotations/{span}", $$$"""{"attributes":{"k":["{{{Nul}}}"]},"version":1}""", "attributes.k[0]") },
        { "relation type with NUL", new("POST", "/api/projects/{project}/relations", $$$"""{"type":"CONTRA{{{Nul}}}DICTS","from":"{span}","to":"{span2}"}""", "type") },
        { "relation note with a lone surrogate", new("POST", "/api/projects/{project}/relations", $$$"""{"type":"CONTRADICTS","from":"{span}","to":"{span2}","note":"{{{Lone}}}"}""", "note") },
        { "project name with NUL", new("POST", "/api/projects", $$$"""{"name":"P{{{Nul}}}"}""", "name") },
        { "project description with a lone surrogate", new("POST", "/api/projects", $$$"""{"name":"P","description":"{{{Lone}}}"}""", "description") },
        { "project settings language with NUL", new("PATCH", "/api/projects/{project}", $$$"""{"language":"e{{{Nul}}}n"}""", "language") },
        { "member email with NUL", new("POST", "/api/projects/{project}/members", $$$"""{"email":"a{{{Nul}}}@test.example","role":"annotator"}""", "email") },
        { "register email with NUL", new("POST", "/api/auth/register", $$$"""{"email":"n{{{Nul}}}@test.example","password":"a long enough password"}""", "email", Anonymous: true) },
        { "register email with a lone surrogate", new("POST", "/api/auth/register", $$$"""{"email":"{{{Lone}}}@test.example","password":"a long enough password"}""", "email", Anonymous: true) },
        { "register password with NUL", new("POST", "/api/auth/register", $$$"""{"email":"fine@test.example","password":"a long{{{Nul}}} password"}""", "password", Anonymous: true) },
        { "login email with NUL", new("POST", "/api/auth/login", $$$"""{"email":"n{{{Nul}}}@test.example","password":"whatever it is"}""", "email", Anonymous: true) },
        { "claims search q with NUL", new("GET", "/api/projects/{project}/claims?q=%00", null, "q") },
        { "claims title filter with NUL", new("GET", "/api/projects/{project}/claims?title=a%00", null, "title") },
        { "annotations list annotator with NUL", new("GET", "/api/documents/{document}/annotations?annotator=%00", null, "annotator") },
        { "export scope annotator with NUL", new("POST", "/api/projects/{project}/exports", $$$"""{"format":"annotate-jsonl","scope":"annotator:{{{Nul}}}"}""", "scope") },
        { "export format with a lone surrogate", new("POST", "/api/projects/{project}/exports", $$$"""{"format":"{{{Lone}}}"}""", "format") },
        { "agreement cell with a lone surrogate", new("POST", "/api/agreement", $$$"""{"level":"nominal","data":[["a","{{{Lone}}}"],["a","b"]]}""", "data[0][1]") },
        { "agreement level with NUL", new("POST", "/api/agreement", $$$"""{"level":"nom{{{Nul}}}","data":[["a","b"]]}""", "level") },
        { "unitizing category with NUL", new("POST", "/api/agreement/unitizing", $$$"""{"begin":0,"length":10,"units":[{"rater":0,"start":0,"length":2,"category":"{{{Nul}}}"}]}""", "units[0].category") },
        { "span matching label with a lone surrogate", new("POST", "/api/agreement/spans", $$$"""{"a":[{"start":0,"end":2,"label":"{{{Lone}}}"}],"b":[]}""", "a[0].label") },
    };

    [Theory]
    [MemberData(nameof(RestCases))]
    public async Task Rest_answers_400_naming_the_field_and_stores_nothing(string name, RestCase rest)
    {
        var fixture = await FixtureAsync();
        var before = await DatabaseStateAsync();
        var client = rest.Anonymous ? new HttpClient { BaseAddress = new Uri(factory.BaseUrl) } : fixture.Lead.Http;
        var request = new HttpRequestMessage(new HttpMethod(rest.Method), fixture.Fill(rest.Path));
        if (rest.Json is not null) request.Content = new StringContent(fixture.Fill(rest.Json), Encoding.UTF8, "application/json");

        var response = await client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"\"{rest.Field}\"", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(rest.Field, out _), problem.GetRawText());
        Assert.Equal(before, await DatabaseStateAsync());
    }

    public static TheoryData<string, string, string, string> HubCases() => new()
    {
        // method, arguments after the first (the document or span id), field
        { "CreateAnnotation", "document", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"note":"a{{{Nul}}}"}""", "note" },
        { "CreateAnnotation", "document", $$$"""{"layer":"claim","label":"CL{{{Nul}}}AIM","start":0,"end":9}""", "label" },
        { "CreateAnnotation", "document", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"attributes":{"k{{{Nul}}}":1}}""", "attributes" },
        { "CreateAnnotation", "document", $$$"""{"layer":"claim","label":"CLAIM","start":0,"end":9,"note":"{{{Lone}}}"}""", "note" },
        { "UpdateAnnotation", "span", $$$"""{"note":"x{{{Nul}}}","version":1}""", "note" },
        { "UpdateAnnotation", "span", $$$"""{"attributes":{"source":"{{{Lone}}}"},"version":1}""", "attributes.source" },
        { "CreateRelation", "project", $$$"""{"type":"SUP{{{Nul}}}PORTS","from":"{span}","to":"{span2}"}""", "type" },
    };

    [Theory]
    [MemberData(nameof(HubCases))]
    public async Task Hub_answers_ok_false_400_naming_the_field_and_stores_nothing(string method, string target, string json, string field)
    {
        var fixture = await FixtureAsync();
        var first = target switch { "document" => fixture.DocumentId.ToString(), "project" => fixture.ProjectId.ToString(), _ => $"\"{fixture.SpanId}\"" };
        var fine = $$"""[{{fixture.DocumentId}},{"id":"{{Guid.NewGuid()}}","layer":"entity","label":"QUANTITY","start":15,"end":18}]""";
        using var hub = await RawHubConnection.ConnectAsync(factory.BaseUrl, fixture.Lead.Token);
        var result = await hub.InvokeAsync(method, $"[{first},{fixture.Fill(json)}]");
        var next = await hub.InvokeAsync("CreateAnnotation", fine);

        Assert.False(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        Assert.Equal(400, result.GetProperty("status").GetInt32());
        Assert.Contains($"\"{field}\"", result.GetProperty("detail").GetString());
        // The connection is still usable (a refusal is an answer, not a dropped call), and only that second call stored anything.
        Assert.True(next.GetProperty("ok").GetBoolean(), next.GetRawText());
        using var scope = factory.Services.CreateScope();
        Assert.Equal(3, await scope.ServiceProvider.GetRequiredService<AppDbContext>().Annotations.CountAsync(a => a.DocumentId == fixture.DocumentId));
    }

    [Fact]
    public async Task A_page_form_answers_400_with_a_page_that_says_what_to_do()
    {
        var cookies = new System.Net.CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(factory.BaseUrl) };
        var email = AnnotateFactory.NewEmail("page");
        (await PageForms.PostFormAsync(browser, "/account/register", "/account/register", new()
            { ["Email"] = email, ["Password"] = AnnotateFactory.Password, ["ConfirmPassword"] = AnnotateFactory.Password })).Redirected();
        (await PageForms.PostFormAsync(browser, "/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password })).Redirected();
        var created = await PageForms.PostFormAsync(browser, "/projects", "/projects", new() { ["name"] = "Page " + Guid.NewGuid() });
        var projectPath = created.Redirected();
        var projectId = long.Parse(projectPath.Split('/').Last());
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        // The same form without the NUL is accepted: the refusal below is the NUL's.
        (await PageForms.PostFormAsync(browser, projectPath + "?tab=settings", $"/projects/{projectId}/settings",
            new() { ["name"] = "Renamed", ["visibility"] = "open" })).Redirected();
        var before = await ProjectStateAsync(projectId);
        var response = await PageForms.PostFormAsync(browser, projectPath + "?tab=settings", $"/projects/{projectId}/settings",
            new() { ["name"] = "Renamed\0", ["visibility"] = "open" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType);
        // The framework refuses such a form before our check sees it (its antiforgery read fails); the page still says what to do.
        Assert.True(page.Contains("remove it"), page);
        Assert.DoesNotContain("   at ", page); // no stack trace
        Assert.Equal(before, await ProjectStateAsync(projectId));
    }

    private sealed record Fixture(SignedInClient Lead, long ProjectId, long DocumentId, Guid SpanId, Guid Span2Id)
    {
        public string Fill(string template) => template.Replace("{project}", ProjectId.ToString()).Replace("{document}", DocumentId.ToString())
            .Replace("{span2}", Span2Id.ToString()).Replace("{span}", SpanId.ToString());
    }

    private Fixture? fixture;

    private async Task<Fixture> FixtureAsync()
    {
        if (fixture is not null) return fixture;
        var lead = await factory.PersonAsync("lead");
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Text);
        async Task<Guid> SpanAsync(int start, int end) => (await (await lead.Http.PostAsJsonAsync($"/api/documents/{documents[0]}/annotations",
            new { layer = "claim", label = "CLAIM", start, end })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return fixture = new Fixture(lead, projectId, documents[0], await SpanAsync(0, 31), await SpanAsync(33, 58));
    }

    /// <summary>
    /// What a refused request could have written (other test classes write beside it, so it counts the fixture's own
    /// rows): the project's rows, the lead's projects, and the accounts the register cases name.
    /// </summary>
    private async Task<string> DatabaseStateAsync() =>
        await ProjectStateAsync(fixture!.ProjectId) + ";" + await OwnStateAsync(fixture.Lead.Email);

    private async Task<string> OwnStateAsync(string leadEmail)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return string.Join(",",
            await db.ProjectMembers.CountAsync(m => m.User!.Email == leadEmail),
            await db.Users.CountAsync(u => u.Email == "fine@test.example" || u.Email!.EndsWith("@test.example") && (u.Email.StartsWith("n") && u.Email.Length == 15 || u.Email.Contains("\uFFFD"))));
    }

    private async Task<string> ProjectStateAsync(long projectId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == projectId);
        return string.Join(",", project.Name, project.Description, project.Visibility,
            await db.ProjectMembers.CountAsync(m => m.ProjectId == projectId), await db.LabelDefinitions.CountAsync(l => l.ProjectId == projectId),
            await db.Annotations.CountAsync(a => a.ProjectId == projectId), await db.Annotations.Where(a => a.ProjectId == projectId).SumAsync(a => (long)a.Version),
            await db.Relations.CountAsync(r => r.ProjectId == projectId), await db.ChangeEvents.CountAsync(e => e.ProjectId == projectId),
            await db.Exports.CountAsync(e => e.ProjectId == projectId), await db.AgreementReports.CountAsync(r => r.ProjectId == projectId));
    }
}

internal static class RedirectExtensions
{
    /// <summary>Where a page's form sent the browser; fails the test when it did not redirect.</summary>
    public static string Redirected(this HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"expected a redirect, got {(int)response.StatusCode}");
        return response.Headers.Location!.OriginalString;
    }
}
