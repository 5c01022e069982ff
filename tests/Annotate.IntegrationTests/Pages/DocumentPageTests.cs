using System.Text.RegularExpressions;
using Annotate.Web.Features.Annotations;

namespace Annotate.IntegrationTests.Pages;

/// <summary>What the document and compare pages carry: each text once, as itself, with markup kept inert.</summary>
public partial class DocumentPageTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    [GeneratedRegex("<script type=\"application/json\" id=\"page-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex PageData();

    private const string Hostile = "</script><script>window.pwned = 1</script> <!-- <script>window.pwned = 2</script> --> <img src=x onerror=alert(1)> & \"quoted\"";

    private static string Article(string marker) =>
        $"Rebels reached Aleppo on Wednesday ({marker}).\r\n叙利亚反对派武装本周发动突然袭击，迅速向阿勒颇市推进。 Ἀθῆναι 🚢 Straße.\n{Hostile}\nThe end.";

    private static int Count(string haystack, string needle)
    {
        var count = 0;
        for (var at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    private async Task<(SignedInClient Lead, long ProjectId, long[] Documents, string[] Texts)> ProjectAsync()
    {
        var lead = await factory.SignUpAsync("page");
        var projectId = await lead.ProjectAsync("Pages");
        var texts = new[] { Article("left " + Guid.NewGuid().ToString("N")), Article("right " + Guid.NewGuid().ToString("N")) };
        var form = new MultipartFormDataContent();
        foreach (var (text, i) in texts.Select((t, i) => (t, i))) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "files", $"{i}.txt");
        var created = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return (lead, projectId, created.GetProperty("created").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).ToArray(), texts);
    }

    [Fact]
    public async Task The_document_page_carries_the_text_once_with_every_letter_as_itself_and_the_markup_inert()
    {
        var (lead, _, docs, texts) = await ProjectAsync();
        var html = await lead.Http.GetStringAsync($"/documents/{docs[0]}");

        // Once: the text's own sentence (and its non-Latin letters, written as themselves) appears a single time. Only
        // characters outside the BMP (🚢) are still written as \u escapes by the JSON encoder.
        Assert.Equal(1, Count(html, "迅速向阿勒颇市推进"));
        Assert.Equal(1, Count(html, "Ἀθῆναι "));
        Assert.Equal(1, Count(html, "Straße"));
        Assert.Equal(1, Count(html, texts[0][..60]));
        Assert.DoesNotContain("&#x", html);
        Assert.DoesNotContain("\\u8FC5", html, StringComparison.OrdinalIgnoreCase);

        // The markup never leaves the page data's script element: one </script> ends it, and it holds no < at all.
        var data = PageData().Match(html);
        Assert.True(data.Success);
        Assert.DoesNotContain("<", data.Groups[1].Value);
        Assert.Equal(0, Count(html, "window.pwned = 1</script>"));
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<!-- <script>", html);

        // And the data says the text exactly (line ends included), with the budget of one change.
        using var state = JsonDocument.Parse(data.Groups[1].Value);
        Assert.Equal(texts[0], state.RootElement.GetProperty("document").GetProperty("text").GetString());
        Assert.Equal(ChangeBudget.MaxBytes, state.RootElement.GetProperty("changeBudgetBytes").GetInt32());
    }

    [Fact]
    public async Task The_compare_page_carries_each_of_its_two_texts_once()
    {
        var (lead, projectId, docs, texts) = await ProjectAsync();
        var html = await lead.Http.GetStringAsync($"/projects/{projectId}/compare?left={docs[0]}&right={docs[1]}");
        Assert.Equal(2, Count(html, "迅速向阿勒颇市推进"));
        Assert.Equal(1, Count(html, texts[0][..60]));
        Assert.Equal(1, Count(html, texts[1][..60]));
        var data = PageData().Match(html);
        Assert.DoesNotContain("<", data.Groups[1].Value);
        using var state = JsonDocument.Parse(data.Groups[1].Value);
        Assert.Equal(texts, state.RootElement.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("text").GetString()!).ToArray());
        Assert.Equal(ChangeBudget.MaxBytes, state.RootElement.GetProperty("changeBudgetBytes").GetInt32());
    }
}
