using Annotate.Web.Features.Documents;

namespace Annotate.IntegrationTests.Documents;

/// <summary>
/// An annotated import reads an article's own fields as a plain import does (one reader, ArticleFields): the
/// "headline" and "url" aliases, "meta" and any other field kept in the meta. They used to be dropped when the file's
/// spans were kept.
/// </summary>
public class AnnotatedImportFieldsTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private const string Line = """
        {"text": "The Coast Guard said all 212 passengers were rescued.", "headline": "Rescue at sea", "url": "https://news.example/rescue", "published": "2024-11-27", "meta": {"desk": "coast"}, "section": "world", "label": [[4, 15, "ORGANIZATION"]]}
        """;

    [Fact]
    public async Task An_annotated_import_keeps_headline_url_and_meta_as_a_plain_import_does()
    {
        var lead = await factory.SignUpAsync("lead");
        var plainProject = await lead.ProjectAsync();
        var annotatedProject = await lead.ProjectAsync();

        var plain = (await lead.DocumentsAsync(plainProject, ("news.jsonl", Line + "\n")))[0];
        var annotated = (await lead.AnnotatedImportAsync(annotatedProject, "news.jsonl", Line + "\n", "pre-annotations"))[0];

        var expected = await (await lead.Http.GetAsync($"/api/documents/{plain}")).ReadAsync<DocumentView>();
        var actual = await (await lead.Http.GetAsync($"/api/documents/{annotated}")).ReadAsync<DocumentView>();
        Assert.Equal("Rescue at sea", expected.Title);
        Assert.Equal("https://news.example/rescue", expected.Source);
        Assert.Equal("coast", expected.Meta.GetProperty("desk").GetString());
        Assert.Equal("world", expected.Meta.GetProperty("section").GetString());
        Assert.Equal((expected.Title, expected.Source, expected.PublishedAt, expected.Meta.GetRawText()),
            (actual.Title, actual.Source, actual.PublishedAt, actual.Meta.GetRawText()));
        // And the span came in with it.
        var spans = await (await lead.Http.GetAsync($"/api/documents/{annotated}/annotations")).ReadAsync<List<JsonElement>>();
        Assert.Equal("Coast Guard", Assert.Single(spans).GetProperty("text").GetString());
    }
}
