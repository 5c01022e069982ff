namespace Annotate.IntegrationTests.Projects;

public class MembershipTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static async Task<long> CreateProjectAsync(HttpClient http, string name = "Members")
    {
        var response = await http.PostAsJsonAsync("/api/projects", new { name, description = "d", visibility = "blind" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var project = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("blind", project.GetProperty("visibility").GetString());
        Assert.Equal("manager", project.GetProperty("role").GetString());
        // A new project starts with the default label set for news.
        var labels = project.GetProperty("labels").EnumerateArray().Select(l => (l.GetProperty("kind").GetString(), l.GetProperty("name").GetString())).ToList();
        Assert.Contains(("entity", "PERSON"), labels);
        Assert.Contains(("entity", "QUANTITY"), labels);
        Assert.Contains(("claim", "CLAIM"), labels);
        Assert.Contains(("relation", "CONTRADICTS"), labels);
        Assert.Contains(("relation", "SUPPORTS"), labels);
        return project.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task A_non_member_gets_404_for_every_resource_of_the_project()
    {
        var manager = await factory.SignUpAsync("manager");
        var outsider = await factory.SignUpAsync("outsider");
        var projectId = await CreateProjectAsync(manager.Http);
        var upload = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("Secret article.")), "files", "s.txt" } };
        var created = await (await manager.Http.PostAsync($"/api/projects/{projectId}/documents", upload)).Content.ReadFromJsonAsync<JsonElement>();
        var documentId = created.GetProperty("created")[0].GetProperty("id").GetInt64();

        foreach (var path in new[] { $"/api/projects/{projectId}", $"/api/projects/{projectId}/documents", $"/api/projects/{projectId}/members", $"/api/documents/{documentId}" })
        {
            var response = await outsider.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var add = await outsider.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = outsider.Email, role = "manager" });
        Assert.Equal(HttpStatusCode.NotFound, add.StatusCode);
        var import = await outsider.Http.PostAsync($"/api/projects/{projectId}/documents",
            new MultipartFormDataContent { { new ByteArrayContent("x"u8.ToArray()), "files", "x.txt" } });
        Assert.Equal(HttpStatusCode.NotFound, import.StatusCode);
        Assert.DoesNotContain((await outsider.Http.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray(), p => p.GetProperty("id").GetInt64() == projectId);
    }

    [Fact]
    public async Task A_manager_adds_members_by_email_and_an_annotator_may_not_manage_members()
    {
        var manager = await factory.SignUpAsync("manager");
        var annotator = await factory.SignUpAsync("annotator");
        var third = await factory.SignUpAsync("third");
        var projectId = await CreateProjectAsync(manager.Http);

        var added = await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = annotator.Email, role = "annotator" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        // The annotator now sees the project, with their role...
        var seen = await annotator.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}");
        Assert.Equal("annotator", seen.GetProperty("role").GetString());
        // ...but cannot add people, change roles or import.
        var refused = await annotator.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = third.Email, role = "annotator" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("manager", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var import = await annotator.Http.PostAsync($"/api/projects/{projectId}/documents",
            new MultipartFormDataContent { { new ByteArrayContent("x"u8.ToArray()), "files", "x.txt" } });
        Assert.Equal(HttpStatusCode.Forbidden, import.StatusCode);

        var duplicate = await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = annotator.Email, role = "reviewer" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var unknown = await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = "nobody@test.example", role = "annotator" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("sign up first", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var badRole = await manager.Http.PostAsJsonAsync($"/api/projects/{projectId}/members", new { email = third.Email, role = "emperor" });
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);

        var members = await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/members");
        var annotatorId = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == annotator.Email).GetProperty("userId").GetString();
        var managerId = members.EnumerateArray().Single(m => m.GetProperty("email").GetString() == manager.Email).GetProperty("userId").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/members/{annotatorId}", new { role = "reviewer" })).StatusCode);
        // The last manager cannot step down or leave.
        Assert.Equal(HttpStatusCode.Conflict, (await manager.Http.PutAsJsonAsync($"/api/projects/{projectId}/members/{managerId}", new { role = "annotator" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await manager.Http.DeleteAsync($"/api/projects/{projectId}/members/{managerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.Http.DeleteAsync($"/api/projects/{projectId}/members/{annotatorId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await annotator.Http.GetAsync($"/api/projects/{projectId}")).StatusCode);
    }

    [Fact]
    public async Task Project_creation_validates_its_input()
    {
        var manager = await factory.SignUpAsync("manager");
        var empty = await manager.Http.PostAsJsonAsync("/api/projects", new { name = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var wrongVisibility = await manager.Http.PostAsJsonAsync("/api/projects", new { name = "x", visibility = "secret" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongVisibility.StatusCode);
        var malformed = await manager.Http.PostAsync("/api/projects", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }
}
