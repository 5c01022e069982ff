using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Annotate.IntegrationTests.Documents;

public class SmallImportLimitFactory : AnnotateFactory
{
    // 2 KB, so the limit can be crossed with a small file.
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Import:MaxFileMegabytes", "0.002")];
}

public class ImportTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static MultipartFormDataContent Files(params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }
        return form;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<(HttpClient Http, long ProjectId)> NewProjectAsync()
    {
        var manager = await factory.SignUpAsync("manager");
        var response = await manager.Http.PostAsJsonAsync("/api/projects", new { name = "Import " + Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var project = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (manager.Http, project.GetProperty("id").GetInt64());
    }

    private static async Task<int> DocumentCountAsync(HttpClient http, long projectId) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").GetArrayLength();

    [Fact]
    public async Task Every_corpus_article_comes_back_byte_for_byte_with_code_point_length()
    {
        var (http, projectId) = await NewProjectAsync();
        var files = Corpus.Files.Select(path => (Path.GetFileName(path), File.ReadAllBytes(path))).ToArray();
        Assert.Equal(5, files.Length);

        var response = await http.PostAsync($"/api/projects/{projectId}/documents", Files(files));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created");
        Assert.Equal(5, created.GetArrayLength());

        foreach (var item in created.EnumerateArray())
        {
            var fileName = item.GetProperty("file").GetString()!;
            var original = File.ReadAllBytes(Path.Combine(Corpus.Folder, fileName));
            var document = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{item.GetProperty("id").GetInt64()}");
            var text = document.GetProperty("text").GetString()!;
            Assert.Equal(original, Encoding.UTF8.GetBytes(text));
            Assert.Equal(text.EnumerateRunes().Count(), document.GetProperty("length").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), document.GetProperty("sha256").GetString());
            Assert.Equal(projectId, document.GetProperty("projectId").GetInt64());
        }
        // The corpus README gives these lengths: 002 has ten code points outside the BMP.
        var flagArticle = created.EnumerateArray().Single(c => c.GetProperty("file").GetString()!.StartsWith("002"));
        var flag = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{flagArticle.GetProperty("id").GetInt64()}");
        Assert.Equal(5709, flag.GetProperty("length").GetInt32());
        Assert.Equal(5719, flag.GetProperty("text").GetString()!.Length);
        // 004 starts with its title; 000 does not, so its file name names it.
        var titles = created.EnumerateArray().ToDictionary(c => c.GetProperty("file").GetString()![..3], c => c.GetProperty("title").GetString());
        Assert.Equal("Syrian Rebels Launch New Offensive and Take Aleppo", titles["004"]);
        Assert.Equal("000_07a58e20742aef7f", titles["000"]);
    }

    [Fact]
    public async Task A_second_import_of_the_same_text_is_reported_not_duplicated()
    {
        var (http, projectId) = await NewProjectAsync();
        var article = ("one.txt", Utf8("Title Line\n\nBody of the article.\n"));
        var first = await http.PostAsync($"/api/projects/{projectId}/documents", Files(article));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();

        var again = await http.PostAsync($"/api/projects/{projectId}/documents", Files(("copy.txt", article.Item2)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var result = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, result.GetProperty("created").GetArrayLength());
        var duplicate = result.GetProperty("duplicates")[0];
        Assert.Equal("copy.txt", duplicate.GetProperty("file").GetString());
        Assert.Equal(firstId, duplicate.GetProperty("existingDocumentId").GetInt64());
        Assert.Equal(1, await DocumentCountAsync(http, projectId));
    }

    [Fact]
    public async Task Jsonl_doccano_and_label_studio_files_import_with_their_fields()
    {
        var (http, projectId) = await NewProjectAsync();
        var jsonl = """
            {"text": "First article text.", "title": "First", "source": "https://example.org/1", "published": "2024-11-27", "meta": {"outlet": "X"}}

            {"text": "Doccano line with labels.", "label": [[0, 7, "ORG"]], "id": 17}
            """;
        var labelStudio = """[{"data": {"text": "Label Studio task text.", "title": "LS"}}, {"data": {"text": "Second task."}}]""";
        var response = await http.PostAsync($"/api/projects/{projectId}/documents",
            Files(("articles.jsonl", Utf8(jsonl)), ("tasks.json", Utf8(labelStudio))));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created");
        Assert.Equal(4, created.GetArrayLength());
        Assert.Equal(3, created[1].GetProperty("line").GetInt32());
        Assert.Equal("articles line 3", created[1].GetProperty("title").GetString());

        var first = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{created[0].GetProperty("id").GetInt64()}");
        Assert.Equal("First", first.GetProperty("title").GetString());
        Assert.Equal("https://example.org/1", first.GetProperty("source").GetString());
        Assert.StartsWith("2024-11-27", first.GetProperty("publishedAt").GetString());
        Assert.Equal("X", first.GetProperty("meta").GetProperty("outlet").GetString());
        var doccano = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{created[1].GetProperty("id").GetInt64()}");
        Assert.Equal(17, doccano.GetProperty("meta").GetProperty("id").GetInt32());
        var task = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{created[2].GetProperty("id").GetInt64()}");
        Assert.Equal("Label Studio task text.", task.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_leading_byte_order_mark_is_dropped_and_nothing_else_changes()
    {
        var (http, projectId) = await NewProjectAsync();
        var body = "Windows line ends\r\nstay as they are.\r\n\u00a0non-breaking and e\u0301 stay decomposed.";
        var response = await http.PostAsync($"/api/projects/{projectId}/documents", Files(("bom.txt", [0xEF, 0xBB, 0xBF, .. Utf8(body)])));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();
        var document = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{id}");
        Assert.Equal(body, document.GetProperty("text").GetString());
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "broken.txt", [0x48, 0x69, 0x0A, 0x6F, 0x6B, 0x0A, 0xC3, 0x28], "broken.txt (line 3) is not valid UTF-8" },
        { "empty.txt", Utf8("  \n\n "), "empty.txt has an empty text" },
        { "lines.jsonl", Utf8("{\"text\": \"fine\"}\n{\"text\": \"unterminated}\n"), "lines.jsonl (line 2) is not valid JSON" },
        { "notext.jsonl", Utf8("{\"title\": \"no text\"}\n"), "notext.jsonl (line 1) has no \"text\" string" },
        { "emptytext.jsonl", Utf8("{\"text\": \"\"}\n"), "emptytext.jsonl (line 1) has an empty text" },
        { "table.csv", Utf8("a,b\n1,2\n"), "table.csv unknown file type '.csv'" },
        { "nul.txt", Utf8("Zero\0byte"), "nul.txt contains a NUL character" },
        { "tasks.json", Utf8("[{\"text\": \"no data\"}]"), "tasks.json task 1 has no \"data\" object" },
        { "date.jsonl", Utf8("{\"text\": \"x\", \"published\": \"last week\"}"), "date.jsonl (line 1) has a \"published\" that is not a date" },
        // What PostgreSQL refuses (a NUL, an unpaired surrogate, a source over its column) is refused before the COPY, by line.
        { "title.jsonl", Utf8("{\"text\": \"x\"}\n{\"text\": \"y\", \"title\": \"a\\u0000b\"}"), "title.jsonl (line 2) has a \"title\" that contains a NUL character at code point 1" },
        { "half.jsonl", Utf8("{\"text\": \"y\", \"title\": \"\\ud83d\"}"), "half.jsonl (line 1) has a \"title\" with an unpaired surrogate escape" },
        { "source.jsonl", Utf8("{\"text\": \"x\", \"source\": \"" + new string('s', 2001) + "\"}"), "source.jsonl (line 1) has a \"source\" of 2001 characters; the limit is 2000" },
        { "nulsource.jsonl", Utf8("{\"text\": \"x\", \"source\": \"s\\u0000\"}"), "nulsource.jsonl (line 1) has a \"source\" that contains a NUL character" },
        { "meta.jsonl", Utf8("{\"text\": \"x\", \"meta\": {\"outlet\": \"a\\u0000\"}}"), "meta.jsonl (line 1) has \"outlet\" with a string that contains a NUL character" },
        { "extra.jsonl", Utf8("{\"text\": \"x\", \"byline\": \"\\udc00\"}"), "extra.jsonl (line 1) has \"byline\" with an unpaired surrogate escape" },
        { "task.json", Utf8("[{\"data\": {\"text\": \"x\", \"title\": \"t\\u0000\"}}]"), "task.json task 1 has a \"title\" that contains a NUL character" },
    };

    [Fact]
    public async Task A_title_over_500_characters_is_cut_between_characters_and_stored()
    {
        var (http, projectId) = await NewProjectAsync();
        // The 500th character is an emoji, two UTF-16 units: cutting at 500 units would leave half of it.
        var line = "{\"text\": \"x\", \"title\": \"" + new string('a', 499) + "😀😀\"}";
        var response = await http.PostAsync($"/api/projects/{projectId}/documents", Files(("long.jsonl", Utf8(line))));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created")[0].GetProperty("id").GetInt64();
        Assert.Equal(new string('a', 499) + "😀", (await http.GetFromJsonAsync<JsonElement>($"/api/documents/{id}")).GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Bad_input_is_refused_with_the_file_and_line_and_nothing_is_stored(string name, byte[] content, string expected)
    {
        var (http, projectId) = await NewProjectAsync();
        // A good file in the same upload must not be stored either: an import is all or nothing.
        var response = await http.PostAsync($"/api/projects/{projectId}/documents",
            Files(("good.txt", Utf8("A good article.")), (name, content)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, problem.GetProperty("detail").GetString());
        Assert.StartsWith("Nothing was imported", problem.GetProperty("detail").GetString());
        Assert.Equal(name, problem.GetProperty("errors")[0].GetProperty("file").GetString());
        Assert.Equal(0, await DocumentCountAsync(http, projectId));
    }

    /// <summary>A stream that cannot tell its length, so the client sends the upload in chunks, with no Content-Length.</summary>
    private sealed class UnknownLength(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task An_upload_sent_in_chunks_with_several_files_and_a_field_is_read_whole()
    {
        var (http, projectId) = await NewProjectAsync();
        // Larger than the reader's first buffer when the request says no length, so it grows while reading.
        var big = Utf8(string.Concat(Enumerable.Range(0, 3000).Select(i => $"{{\"title\": \"Line {i}\", \"text\": \"Article {i}: the river rose \\u00e9 again.\"}}\n")));
        var small = Utf8("A short article.");
        var form = new MultipartFormDataContent
        {
            { new StreamContent(new UnknownLength(big)), "files", "many.jsonl" },
            { new StringContent("ignore"), "annotations" },
            { new StreamContent(new UnknownLength(small)), "files", "short.txt" },
        };
        Assert.Null(form.Headers.ContentLength);
        var response = await http.PostAsync($"/api/projects/{projectId}/documents", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").EnumerateArray().ToList();
        Assert.Equal(3001, created.Count);
        var last = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{created[2999].GetProperty("id").GetInt64()}");
        Assert.Equal("Article 2999: the river rose \u00e9 again.", last.GetProperty("text").GetString());
        var shortOne = await http.GetFromJsonAsync<JsonElement>($"/api/documents/{created[3000].GetProperty("id").GetInt64()}");
        Assert.Equal("A short article.", shortOne.GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_upload_without_files_is_refused_clearly()
    {
        var (http, projectId) = await NewProjectAsync();
        var response = await http.PostAsync($"/api/projects/{projectId}/documents", new MultipartFormDataContent { { new StringContent("x"), "other" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("No files were sent", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}

public class ImportLimitTests(SmallImportLimitFactory factory) : IClassFixture<SmallImportLimitFactory>
{
    [Fact]
    public async Task A_file_over_the_configured_limit_is_named_and_nothing_is_stored()
    {
        var manager = await factory.SignUpAsync("manager");
        var projectId = await manager.ProjectAsync("Limits");
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("small one")), "files", "small.txt" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(new string('a', 5000))), "files", "big.txt" },
        };
        var response = await manager.Http.PostAsync($"/api/projects/{projectId}/documents", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("big.txt", detail);
        Assert.Contains("the limit is", detail);
        Assert.Equal(0, (await manager.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/documents")).GetProperty("items").GetArrayLength());
    }
}
