using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Annotate.IntegrationTests.Pages;

/// <summary>The server-rendered pages as a browser uses them: cookies, forms with antiforgery tokens.</summary>
public partial class PageTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{

    [GeneratedRegex("name=\"request-verification-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();

    private HttpClient Browser() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<(HttpClient Client, string Email)> SignedUpBrowserAsync()
    {
        var client = Browser();
        var email = AnnotateFactory.NewEmail("page");
        var response = await PageForms.PostFormAsync(client, "/account/register", "/account/register", new()
        {
            ["Email"] = email, ["Password"] = AnnotateFactory.Password, ["ConfirmPassword"] = AnnotateFactory.Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Signing up does not sign in (that would tell which emails were free): the new account signs in.
        var signedIn = await PageForms.PostFormAsync(client, "/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return (client, email);
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused()
    {
        var (client, _) = await SignedUpBrowserAsync();
        var response = await client.PostAsync("/projects", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "No token" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("No token", await client.GetStringAsync("/projects"));
    }

    [Fact]
    public async Task Cookie_api_calls_must_carry_the_page_token()
    {
        var (client, _) = await SignedUpBrowserAsync();
        var without = await client.PostAsJsonAsync("/api/projects", new { name = "Via cookie" });
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        Assert.Contains("RequestVerificationToken", (await without.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var token = MetaToken().Match(await client.GetStringAsync("/projects")).Groups[1].Value;
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/projects") { Content = JsonContent.Create(new { name = "Via cookie" }) };
        request.Headers.Add("RequestVerificationToken", token);
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Article_text_and_guidelines_are_rendered_inert()
    {
        var (client, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(client, "/projects", "/projects", new() { ["name"] = "Inert", ["visibility"] = "Open" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var projectPath = created.Headers.Location!.OriginalString;

        var hostile = "<script>window.pwned=1</script>\n<img src=x onerror=alert(1)>\nLine two & more";
        var form = new MultipartFormDataContent
        {
            { new StringContent(await PageForms.FormTokenAsync(client, projectPath)), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(hostile)), "files", "hostile.txt" },
        };
        var imported = await client.PostAsync(projectPath + "/import", form);
        Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode);
        var projectPage = await client.GetStringAsync(projectPath);
        Assert.Contains("Imported 1 article(s).", projectPage);
        var documentPath = Regex.Match(projectPage, "href=\"(/documents/\\d+)\"").Groups[1].Value;

        // The text is in the page data only, where the JSON encoder escapes <, > and &.
        var page = await client.GetStringAsync(documentPath);
        Assert.DoesNotContain("<script>window.pwned", page);
        Assert.DoesNotContain("<img src=x", page);
        Assert.Contains("\\u003Cscript\\u003Ewindow.pwned=1\\u003C/script\\u003E", page);
        Assert.Contains("Line two \\u0026 more", page);

        var saved = await PageForms.PostFormAsync(client, projectPath + "?tab=guidelines", projectPath + "/guidelines", new()
        {
            ["guidelines"] = "# Rules\n<script>alert(1)</script>\n[click](javascript:alert(2)) and **bold**",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var guidelines = await client.GetStringAsync(projectPath + "?tab=guidelines");
        var rendered = Regex.Match(guidelines, "data-testid=\"guidelines\">(.*?)</article>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<h1", rendered);
        Assert.Contains("<strong>bold</strong>", rendered);
        Assert.DoesNotContain("<script>", rendered);
        Assert.DoesNotContain("javascript:", rendered);
    }

    [Fact]
    public async Task A_label_in_use_cannot_be_deleted_or_renamed_but_a_new_one_can_be_added_and_an_unused_one_deleted()
    {
        var (client, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(client, "/projects", "/projects", new() { ["name"] = "Labels" });
        var projectPath = created.Headers.Location!.OriginalString;
        var projectId = long.Parse(projectPath.Split('/').Last());
        var form = new MultipartFormDataContent
        {
            { new StringContent(await PageForms.FormTokenAsync(client, projectPath)), "__RequestVerificationToken" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes("Ana met Ben.")), "files", "a.txt" },
        };
        await client.PostAsync(projectPath + "/import", form);
        var labelsPage = await client.GetStringAsync(projectPath + "?tab=labels");
        var personId = Regex.Match(labelsPage, "name=\"labelId\" value=\"(\\d+)\"").Groups[1].Value; // PERSON comes first
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Annotate.Web.Data.AppDbContext>();
            var document = db.Documents.Single(d => d.ProjectId == projectId);
            var user = db.ProjectMembers.Single(m => m.ProjectId == projectId).UserId;
            db.Annotations.Add(new Annotate.Web.Features.Annotations.Annotation
            {
                Id = Guid.NewGuid(), ProjectId = projectId, DocumentId = document.Id, AnnotatorId = user, Layer = Annotate.Web.Features.Annotations.AnnotationLayer.Entity,
                Label = "PERSON", Start = 0, End = 3, Text = "Ana", Version = 1, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await PageForms.PostFormAsync(client, projectPath + "?tab=labels", $"{projectPath}/labels/{personId}/delete", new());
        Assert.Contains("PERSON is used by 1 span(s)", await client.GetStringAsync(projectPath + "?tab=labels"));
        await PageForms.PostFormAsync(client, projectPath + "?tab=labels", $"{projectPath}/labels", new() { ["labelId"] = personId, ["kind"] = "Entity", ["name"] = "HUMAN", ["colour"] = "#e6194b" });
        Assert.Contains("renaming it would orphan", await client.GetStringAsync(projectPath + "?tab=labels"));
        await PageForms.PostFormAsync(client, projectPath + "?tab=labels", $"{projectPath}/labels", new() { ["kind"] = "Entity", ["name"] = "weapon", ["colour"] = "#112233", ["key"] = "x" });
        var afterAdd = await client.GetStringAsync(projectPath + "?tab=labels");
        Assert.Contains("Label WEAPON saved.", afterAdd);
        var weaponId = Regex.Match(afterAdd, "name=\"labelId\" value=\"(\\d+)\"><input type=\"hidden\" name=\"kind\" value=\"Entity\">(?![\\s\\S]*name=\"labelId\")").Groups[1].Value;
        await PageForms.PostFormAsync(client, projectPath + "?tab=labels", $"{projectPath}/labels/{weaponId}/delete", new());
        Assert.Contains("Label deleted.", await client.GetStringAsync(projectPath + "?tab=labels"));
    }

    [Fact]
    public async Task A_failed_import_in_the_page_names_the_problem()
    {
        var (client, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(client, "/projects", "/projects", new() { ["name"] = "Bad import" });
        var projectPath = created.Headers.Location!.OriginalString;
        var form = new MultipartFormDataContent
        {
            { new StringContent(await PageForms.FormTokenAsync(client, projectPath)), "__RequestVerificationToken" },
            { new ByteArrayContent([0xFF, 0xFE, 0x00]), "files", "binary.txt" },
        };
        await client.PostAsync(projectPath + "/import", form);
        var page = await client.GetStringAsync(projectPath);
        Assert.Contains("binary.txt", page);
        Assert.Contains("not valid UTF-8", page);
        Assert.Contains("No documents yet", page);
    }

    [Fact]
    public async Task A_non_member_sees_a_not_found_page_without_details()
    {
        var (owner, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(owner, "/projects", "/projects", new() { ["name"] = "Private" });
        var projectPath = created.Headers.Location!.OriginalString;
        var (stranger, _) = await SignedUpBrowserAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, projectPath);
        request.Headers.Accept.ParseAdd("text/html");
        var response = await stranger.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("not a member", html);
        Assert.DoesNotContain("Private", html);
        Assert.DoesNotContain("   at ", html);
    }

    [Fact]
    public async Task The_guidelines_preview_renders_the_draft_as_the_guidelines_are_for_managers_only_and_saves_nothing()
    {
        var (manager, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(manager, "/projects", "/projects", new() { ["name"] = "Preview" });
        var projectPath = created.Headers.Location!.OriginalString;
        var (annotator, annotatorEmail) = await SignedUpBrowserAsync();
        var (stranger, _) = await SignedUpBrowserAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await PageForms.PostFormAsync(manager, projectPath + "?tab=members", projectPath + "/members",
            new() { ["email"] = annotatorEmail, ["role"] = "Annotator" })).StatusCode);
        var draft = "| Label | Mark |\n|---|---|\n| PERSON | *names* |\n\n<script>alert(1)</script> [x](javascript:alert(2))";

        var preview = await PageForms.PostFormAsync(manager, projectPath + "?tab=guidelines", projectPath + "/guidelines/preview", new() { ["guidelines"] = draft });
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = await preview.Content.ReadAsStringAsync();
        var body = Regex.Match(html, "data-testid=\"guidelines-preview\">(.*?)</main>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<table>", body);
        Assert.Contains("<th>Label</th>", body);
        Assert.Contains("<em>names</em>", body);
        Assert.Contains("&lt;script&gt;", body);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("javascript:", body);
        // Nothing was saved: the project's guidelines are still empty.
        Assert.Contains("No guidelines yet.", await manager.GetStringAsync(projectPath + "?tab=guidelines"));

        // Only managers preview: an annotator is refused, a stranger does not learn the project exists.
        var asAnnotator = await PageForms.PostFormAsync(annotator, projectPath + "?tab=guidelines", projectPath + "/guidelines/preview", new() { ["guidelines"] = draft });
        Assert.Equal(HttpStatusCode.Forbidden, asAnnotator.StatusCode);
        var asStranger = await PageForms.PostFormAsync(stranger, "/projects", projectPath + "/guidelines/preview", new() { ["guidelines"] = draft });
        Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
    }
}
