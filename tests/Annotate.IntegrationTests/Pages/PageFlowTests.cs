namespace Annotate.IntegrationTests.Pages;

/// <summary>Members, multi-file imports, signing out and lockout, as a person does them in the pages.</summary>
public partial class PageTests
{
    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string projectPath, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent(await PageForms.FormTokenAsync(client, projectPath)), "__RequestVerificationToken" } };
        foreach (var (name, bytes) in files) form.Add(new ByteArrayContent(bytes), "files", name);
        return await client.PostAsync(projectPath + "/import", form);
    }

    [Fact]
    public async Task A_manager_adds_changes_and_removes_members_in_the_page_and_an_annotator_may_not()
    {
        var (lead, _) = await SignedUpBrowserAsync();
        var (ana, anaEmail) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(lead, "/projects", "/projects", new() { ["name"] = "Team " + Guid.NewGuid() });
        var projectPath = created.Headers.Location!.OriginalString;
        var projectId = long.Parse(projectPath.Split('/')[^1]);

        var added = await PageForms.PostFormAsync(lead, projectPath + "?tab=members", projectPath + "/members", new() { ["email"] = anaEmail, ["role"] = "Annotator" });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Contains(anaEmail, await lead.GetStringAsync(projectPath + "?tab=members"));
        var unknown = await PageForms.PostFormAsync(lead, projectPath + "?tab=members", projectPath + "/members", new() { ["email"] = "nobody-" + Guid.NewGuid() + "@test.example", ["role"] = "Annotator" });
        Assert.Equal(HttpStatusCode.Redirect, unknown.StatusCode);
        Assert.Contains("Ask them to sign up first", await lead.GetStringAsync(projectPath + "?tab=members"));

        // Ana, an annotator now, opens the project but cannot add people.
        Assert.Equal(HttpStatusCode.OK, (await ana.GetAsync(projectPath)).StatusCode);
        var (_, carolEmail) = await SignedUpBrowserAsync();
        var refused = await PageForms.PostFormAsync(ana, "/projects", projectPath + "/members", new() { ["email"] = carolEmail, ["role"] = "Manager" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain(carolEmail, await lead.GetStringAsync(projectPath + "?tab=members"));

        var members = await MembersAsync(lead, projectId);
        var anaId = members.Single(m => m.GetProperty("email").GetString() == anaEmail).GetProperty("userId").GetString();
        await PageForms.PostFormAsync(lead, projectPath + "?tab=members", $"{projectPath}/members/{anaId}/role", new() { ["role"] = "Reviewer" });
        Assert.Equal("reviewer", (await MembersAsync(lead, projectId)).Single(m => m.GetProperty("email").GetString() == anaEmail).GetProperty("role").GetString());
        await PageForms.PostFormAsync(lead, projectPath + "?tab=members", $"{projectPath}/members/{anaId}/remove", new());
        Assert.DoesNotContain(await MembersAsync(lead, projectId), m => m.GetProperty("email").GetString() == anaEmail);
        var gone = new HttpRequestMessage(HttpMethod.Get, projectPath);
        gone.Headers.Accept.ParseAdd("text/html");
        Assert.Equal(HttpStatusCode.NotFound, (await ana.SendAsync(gone)).StatusCode);
    }

    /// <summary>The members as the API shows them, read with the page's own cookie and token.</summary>
    private static async Task<List<JsonElement>> MembersAsync(HttpClient client, long projectId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members")).EnumerateArray().ToList();

    [Fact]
    public async Task Several_files_upload_at_once_and_a_bad_one_lists_every_problem_and_stores_nothing()
    {
        var (client, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(client, "/projects", "/projects", new() { ["name"] = "Uploads " + Guid.NewGuid() });
        var projectPath = created.Headers.Location!.OriginalString;
        var projectId = long.Parse(projectPath.Split('/')[^1]);

        await UploadAsync(client, projectPath,
            ("good.txt", Encoding.UTF8.GetBytes("A good article.")),
            ("lines.jsonl", Encoding.UTF8.GetBytes("{\"text\": \"fine\"}\n{\"text\": \n{\"text\": \"\"}\n")),
            ("binary.txt", [0xFF, 0xFE, 0x00]));
        var page = await client.GetStringAsync(projectPath);
        Assert.Contains("data-testid=\"error-list\"", page);
        Assert.Contains("lines.jsonl (line 2)", page);
        Assert.Contains("lines.jsonl (line 3)", page);
        Assert.Contains("binary.txt", page);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());

        await UploadAsync(client, projectPath,
            ("one.txt", Encoding.UTF8.GetBytes("The first article.")),
            ("two.txt", Encoding.UTF8.GetBytes("The second article.")),
            ("three.jsonl", Encoding.UTF8.GetBytes("{\"text\": \"Third.\", \"title\": \"Three\"}\n{\"text\": \"Fourth.\"}\n")));
        Assert.Contains("Imported 4 article(s).", await client.GetStringAsync(projectPath));
        Assert.Equal(4, (await client.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var (client, _) = await SignedUpBrowserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/projects")).StatusCode);
        var signedOut = await PageForms.PostFormAsync(client, "/projects", "/account/logout", new());
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        var after = await client.SendAsync(PageRequest("/projects"));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/login", after.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_sign_in_page_refuses_even_the_right_password_after_five_wrong_ones_from_there()
    {
        var (_, email) = await SignedUpBrowserAsync();
        var client = Browser();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await PageForms.PostFormAsync(client, "/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = "not the password" });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode); // the form again, with the error
        }
        var right = await PageForms.PostFormAsync(client, "/account/login", "/account/login", new() { ["Email"] = email, ["Password"] = AnnotateFactory.Password });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("from there pauses for 5 minutes", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(PageRequest("/projects"))).StatusCode); // not signed in
    }

    /// <summary>A GET as a browser sends it (asking for HTML), so an anonymous one is sent to the sign-in page.</summary>
    private static HttpRequestMessage PageRequest(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html");
        return request;
    }

    [Fact]
    public async Task A_non_member_gets_not_found_for_a_documents_page_and_for_member_changes()
    {
        var (owner, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(owner, "/projects", "/projects", new() { ["name"] = "Closed " + Guid.NewGuid() });
        var projectPath = created.Headers.Location!.OriginalString;
        var projectId = long.Parse(projectPath.Split('/')[^1]);
        await UploadAsync(owner, projectPath, ("secret.txt", Encoding.UTF8.GetBytes("Secret Title\n\nA secret article.")));
        var documentId = (await owner.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var ownerId = (await MembersAsync(owner, projectId))[0].GetProperty("userId").GetString();

        var stranger = await factory.SignUpAsync("stranger");
        var page = new HttpRequestMessage(HttpMethod.Get, $"/documents/{documentId}");
        var (strangerBrowser, _) = await SignedUpBrowserAsync();
        page.Headers.Accept.ParseAdd("text/html");
        var response = await strangerBrowser.SendAsync(page);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("secret article", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.PutAsJsonAsync($"/api/projects/{projectId}/members/{ownerId}", new { role = "annotator" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.DeleteAsync($"/api/projects/{projectId}/members/{ownerId}")).StatusCode);
        Assert.Equal("manager", (await MembersAsync(owner, projectId))[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task The_jobs_page_retries_a_failed_export_and_shows_admins_every_projects_jobs()
    {
        var (lead, _) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(lead, "/projects", "/projects", new() { ["name"] = "Jobs " + Guid.NewGuid() });
        var projectPath = created.Headers.Location!.OriginalString;
        var projectId = long.Parse(projectPath.Split('/')[^1]);
        await UploadAsync(lead, projectPath, ("one.txt", Encoding.UTF8.GetBytes("One article about the ferry.")));
        long exportId;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Annotate.Web.Data.AppDbContext>();
            var export = await Annotate.Web.Features.Exports.ExportScheduler.ValidateAsync(db, projectId,
                new("spacy-jsonl", "all", false, null, false), null, TimeSpan.FromDays(1));
            export.Status = Annotate.Web.Features.Jobs.JobStatus.Failed;
            export.Error = "The disk was full.";
            export.Attempts = 3;
            db.Exports.Add(export);
            await db.SaveChangesAsync();
            exportId = export.Id;
        }
        var jobs = await lead.GetStringAsync("/jobs");
        Assert.Contains("The disk was full.", jobs);
        Assert.Contains("<td class=\"small\" data-testid=\"attempts\">3</td>", jobs);

        // Someone who manages nothing here neither sees the job nor may retry it.
        var (stranger, _) = await SignedUpBrowserAsync();
        Assert.DoesNotContain("The disk was full.", await stranger.GetStringAsync("/jobs"));
        Assert.Equal(HttpStatusCode.NotFound, (await PageForms.PostFormAsync(stranger, "/projects", $"/jobs/export/{exportId}/retry", new())).StatusCode);

        // A site admin sees every project's jobs.
        var (admin, adminEmail) = await SignedUpBrowserAsync();
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Annotate.Web.Features.Accounts.AppUser>>();
            var roles = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<Microsoft.AspNetCore.Identity.IdentityRole>>();
            await Annotate.Web.Features.Accounts.AccountCommands.CreateOrResetAsync(users, roles, adminEmail, AnnotateFactory.Password, admin: true);
        }
        var adminBrowser = Browser();
        await PageForms.PostFormAsync(adminBrowser, "/account/login", "/account/login", new() { ["Email"] = adminEmail, ["Password"] = AnnotateFactory.Password });
        Assert.Contains("The disk was full.", await adminBrowser.GetStringAsync("/jobs"));

        var retried = await PageForms.PostFormAsync(lead, "/jobs", $"/jobs/export/{exportId}/retry", new());
        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Contains($"Export {exportId} queued again.", await lead.GetStringAsync("/jobs"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string status;
        do
        {
            await Task.Delay(150);
            status = (await lead.GetFromJsonAsync<JsonElement>($"/api/exports/{exportId}")).GetProperty("status").GetString()!;
        } while (status is "queued" or "running" && DateTime.UtcNow < deadline);
        Assert.Equal("succeeded", status);
    }

    [Fact]
    public async Task The_import_form_takes_spans_in_as_a_members_work_and_reports_missing_labels()
    {
        var (lead, _) = await SignedUpBrowserAsync();
        var (_, anaEmail) = await SignedUpBrowserAsync();
        var created = await PageForms.PostFormAsync(lead, "/projects", "/projects", new() { ["name"] = "Annotated " + Guid.NewGuid() });
        var projectPath = created.Headers.Location!.OriginalString;
        var projectId = long.Parse(projectPath.Split('/')[^1]);
        await PageForms.PostFormAsync(lead, projectPath + "?tab=members", projectPath + "/members", new() { ["email"] = anaEmail, ["role"] = "Annotator" });
        Assert.Contains($"value=\"member:{anaEmail}\"", await lead.GetStringAsync(projectPath));

        async Task<HttpResponseMessage> ImportAsync(string line, string mode, bool createLabels)
        {
            var form = new MultipartFormDataContent
            {
                { new StringContent(await PageForms.FormTokenAsync(lead, projectPath)), "__RequestVerificationToken" },
                { new ByteArrayContent(Encoding.UTF8.GetBytes(line)), "files", "spans.jsonl" },
                { new StringContent(mode), "annotations" },
            };
            if (createLabels) form.Add(new StringContent("true"), "createLabels");
            return await lead.PostAsync(projectPath + "/import", form);
        }
        var line = "{\"text\": \"The T-72 tank and Ana Diaz.\", \"label\": [[4, 8, \"WEAPON\"], [18, 26, \"PERSON\"]]}\n";
        await ImportAsync(line, $"member:{anaEmail}", createLabels: false);
        var refused = await lead.GetStringAsync(projectPath);
        Assert.Contains("WEAPON", refused);
        Assert.Contains("spans.jsonl", refused);
        Assert.Empty((await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").EnumerateArray());

        await ImportAsync(line, $"member:{anaEmail}", createLabels: true);
        Assert.Contains("With them 2 span(s) and 0 link(s).", await lead.GetStringAsync(projectPath));
        var documentId = (await lead.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var spans = (await lead.GetFromJsonAsync<JsonElement>($"/api/documents/{documentId}/annotations")).EnumerateArray().ToList();
        Assert.Equal(["T-72", "Ana Diaz"], spans.OrderBy(a => a.GetProperty("start").GetInt32()).Select(a => a.GetProperty("text").GetString()));
        var anaId = (await MembersAsync(lead, projectId)).Single(m => m.GetProperty("email").GetString() == anaEmail).GetProperty("userId").GetString();
        Assert.All(spans, a => Assert.Equal(anaId, a.GetProperty("annotatorId").GetString()));
    }
}
