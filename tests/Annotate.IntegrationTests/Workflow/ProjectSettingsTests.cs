using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Annotate.IntegrationTests.Workflow;

/// <summary>PATCH /api/projects/{id} and the settings form: the same rules, all fields checked before any changes.</summary>
public partial class ProjectSettingsTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static async Task<long> CreateProjectAsync(SignedInClient manager) =>
        (await (await manager.Http.PostAsJsonAsync("/api/projects", new { name = "Settings " + Guid.NewGuid(), description = "first" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

    private static async Task<HttpResponseMessage> PatchAsync(SignedInClient who, long projectId, string json) =>
        await who.Http.PatchAsync($"/api/projects/{projectId}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_new_project_has_the_default_settings_and_GET_shows_them_all()
    {
        var manager = await factory.SignUpAsync("manager");
        var projectId = await CreateProjectAsync(manager);
        var project = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
        Assert.Equal("open", project.GetProperty("visibility").GetString());
        Assert.True(project.GetProperty("snapToWords").GetBoolean());
        Assert.Equal("free", project.GetProperty("assignment").GetString());
        Assert.Equal(2, project.GetProperty("annotatorsPerDocument").GetInt32());
        Assert.Equal(1440, project.GetProperty("releaseAfterMinutes").GetInt32());
        Assert.False(project.GetProperty("finishedLocks").GetBoolean());
        Assert.False(project.GetProperty("anonymousCuration").GetBoolean());
        Assert.Equal("en", project.GetProperty("language").GetString());
    }

    [Fact]
    public async Task A_manager_changes_any_subset_and_the_rest_stays()
    {
        var manager = await factory.SignUpAsync("manager");
        var projectId = await CreateProjectAsync(manager);

        var response = await PatchAsync(manager, projectId,
            """{"assignment":"dynamic","annotatorsPerDocument":3,"releaseAfterMinutes":30,"finishedLocks":true,"anonymousCuration":true,"language":"ar"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answered = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dynamic", answered.GetProperty("assignment").GetString());
        Assert.Equal(3, answered.GetProperty("annotatorsPerDocument").GetInt32());
        Assert.Equal(30, answered.GetProperty("releaseAfterMinutes").GetInt32());
        Assert.True(answered.GetProperty("finishedLocks").GetBoolean());
        Assert.True(answered.GetProperty("anonymousCuration").GetBoolean());
        Assert.Equal("ar", answered.GetProperty("language").GetString());
        Assert.Equal("first", answered.GetProperty("description").GetString()); // not sent, not changed
        Assert.Equal("manager", answered.GetProperty("role").GetString());
        Assert.NotEmpty(answered.GetProperty("labels").EnumerateArray());

        (await PatchAsync(manager, projectId, """{"name":"  Renamed  ","description":"second","visibility":"blind","snapToWords":false}""")).EnsureSuccessStatusCode();
        var project = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
        Assert.Equal("Renamed", project.GetProperty("name").GetString());
        Assert.Equal("second", project.GetProperty("description").GetString());
        Assert.Equal("blind", project.GetProperty("visibility").GetString());
        Assert.False(project.GetProperty("snapToWords").GetBoolean());
        // The first change is still there.
        Assert.Equal("dynamic", project.GetProperty("assignment").GetString());
        Assert.Equal(3, project.GetProperty("annotatorsPerDocument").GetInt32());
        Assert.Equal("ar", project.GetProperty("language").GetString());
    }

    [Fact]
    public async Task Every_bad_field_is_named_and_nothing_changes()
    {
        var manager = await factory.SignUpAsync("manager");
        var projectId = await CreateProjectAsync(manager);
        var before = await manager.Http.GetStringAsync($"/api/projects/{projectId}");

        // Good fields beside bad ones: the good ones must not be applied either.
        var response = await PatchAsync(manager, projectId,
            """{"name":"   ","visibility":"secret","assignment":"round-robin","annotatorsPerDocument":51,"releaseAfterMinutes":0,"language":"english please","finishedLocks":true,"description":"changed"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "name", "visibility", "assignment", "annotatorsPerDocument", "releaseAfterMinutes", "language" })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} is not named in {problem.GetRawText()}");
        Assert.False(errors.TryGetProperty("finishedLocks", out _));
        Assert.Contains("1 to 50", errors.GetProperty("annotatorsPerDocument")[0].GetString());
        Assert.Contains("'dynamic'", errors.GetProperty("assignment")[0].GetString());
        Assert.Contains("Nothing was saved", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await manager.Http.GetStringAsync($"/api/projects/{projectId}"));

        foreach (var (json, field) in new[]
        {
            ("""{"annotatorsPerDocument":0}""", "annotatorsPerDocument"), ("""{"assignment":"2"}""", "assignment"),
            ("""{"language":""}""", "language"), ("""{"language":"e"}""", "language"), ("""{"releaseAfterMinutes":-5}""", "releaseAfterMinutes"),
        })
        {
            var refused = await PatchAsync(manager, projectId, json);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), json);
        }
        // A value of the wrong type is refused by the JSON reader, naming the field too.
        var wrongType = await PatchAsync(manager, projectId, """{"annotatorsPerDocument":"two"}""");
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("annotatorsPerDocument", await wrongType.Content.ReadAsStringAsync());
        Assert.Equal(before, await manager.Http.GetStringAsync($"/api/projects/{projectId}"));

        // The edges are accepted.
        (await PatchAsync(manager, projectId, """{"annotatorsPerDocument":50,"releaseAfterMinutes":1,"language":"zh-Hant-TW"}""")).EnsureSuccessStatusCode();
        (await PatchAsync(manager, projectId, """{"annotatorsPerDocument":1}""")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Only_managers_change_settings()
    {
        var manager = await factory.SignUpAsync("manager");
        var annotator = await factory.SignUpAsync("annotator");
        var reviewer = await factory.SignUpAsync("reviewer");
        var outsider = await factory.SignUpAsync("outsider");
        var projectId = await CreateProjectAsync(manager);
        (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = annotator.Email, role = "annotator" })).EnsureSuccessStatusCode();
        (await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = reviewer.Email, role = "reviewer" })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(annotator, projectId, """{"assignment":"assigned"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(reviewer, projectId, """{"finishedLocks":true}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PatchAsync(outsider, projectId, """{"name":"Mine"}""")).StatusCode);
        // Members who may not change them still read them.
        var seen = await annotator.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
        Assert.Equal("free", seen.GetProperty("assignment").GetString());
        Assert.False(seen.GetProperty("finishedLocks").GetBoolean());
    }


    [Fact]
    public async Task The_settings_form_shows_every_setting_and_uses_the_same_rules()
    {
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var email = AnnotateFactory.NewEmail("page");
        await PageForms.PostFormAsync(browser, "/account/register", "/account/register", new()
            { ["Email"] = email, ["Password"] = AnnotateFactory.Password, ["ConfirmPassword"] = AnnotateFactory.Password });
        Assert.Equal(HttpStatusCode.Redirect, (await PageForms.PostFormAsync(browser, "/account/login", "/account/login",
            new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password })).StatusCode);
        var created = await PageForms.PostFormAsync(browser, "/projects", "/projects", new() { ["name"] = "Form settings" });
        var projectPath = created.Headers.Location!.OriginalString;
        var settingsPage = projectPath + "?tab=settings";

        var page = await browser.GetStringAsync(settingsPage);
        foreach (var field in new[] { "name", "description", "visibility", "snapToWords", "assignment", "annotatorsPerDocument", "releaseAfterMinutes", "finishedLocks", "anonymousCuration", "language" })
            Assert.Contains($"name=\"{field}\"", page);
        Assert.Contains("value=\"1440\"", page);

        var saved = await PageForms.PostFormAsync(browser, settingsPage, projectPath + "/settings", new()
        {
            ["name"] = "Form settings", ["description"] = "d", ["visibility"] = "blind", ["assignment"] = "assigned",
            ["annotatorsPerDocument"] = "4", ["releaseAfterMinutes"] = "90", ["finishedLocks"] = "true", ["language"] = "de-CH",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("Settings saved.", await browser.GetStringAsync(settingsPage));
        page = await browser.GetStringAsync(settingsPage);
        Assert.Matches("<option value=\"assigned\" selected=\"selected\"", page);
        Assert.Contains("value=\"4\"", page);
        Assert.Contains("value=\"90\"", page);
        Assert.Contains("value=\"de-CH\"", page);
        Assert.Matches("id=\"settings-finished-locks\"[^>]*checked", page);
        Assert.DoesNotMatch("id=\"settings-snap\"[^>]*checked", page); // unticked box: off
        Assert.DoesNotMatch("id=\"settings-anonymous-curation\"[^>]*checked", page);

        var refused = await PageForms.PostFormAsync(browser, settingsPage, projectPath + "/settings", new()
        {
            ["name"] = "Changed name", ["visibility"] = "open", ["assignment"] = "lottery",
            ["annotatorsPerDocument"] = "abc", ["releaseAfterMinutes"] = "0", ["language"] = "de-CH",
        });
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        page = await browser.GetStringAsync(settingsPage);
        Assert.Contains("Nothing was saved", page);
        Assert.Contains("annotatorsPerDocument: &#x27;abc&#x27; is not a whole number", page.Replace("&#39;", "&#x27;"));
        Assert.Contains("assignment:", page);
        Assert.Contains("releaseAfterMinutes:", page);
        Assert.DoesNotContain("Changed name", page);
        Assert.Matches("<option value=\"assigned\" selected=\"selected\"", page);
    }
}
