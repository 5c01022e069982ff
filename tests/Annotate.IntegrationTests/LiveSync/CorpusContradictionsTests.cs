namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// The product's promise end to end: two people annotate the five corpus articles together over live
/// connections and link the contradictions the corpus README lists, across articles; each sees the other's
/// work as it happens, and both end with exactly what the server holds.
/// </summary>
public class CorpusContradictionsTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    /// <summary>(article, phrase) pairs that cannot both be true, from the corpus README.</summary>
    private static readonly ((string Article, string Phrase) Left, (string Article, string Phrase) Right, string Note)[] Contradictions =
    [
        (("001", "Deter the Aggression"), ("004", "Deterring Aggression"), "the operation's name"),
        (("001", "Kiumars Pourahmadi"), ("004", "Kioumars Pourhashemi"), "the Iranian general killed"),
        (("002", "The assault began on Wednesday"), ("004", "launched the offensive on Tuesday"), "the day it began"),
        (("000", "rebels have successfully seized 13 villages"), ("001", "more than 50 regime-held territories"), "ground taken"),
        (("002", "now within 7 km of central Aleppo"), ("001", "pushed within two kilometers of Aleppo city"), "distance to the city"),
        (("000", "37 individuals from the regime forces and allied militia have been killed"), ("003", "over 300 people killed"), "the toll"),
    ];

    [Fact]
    public async Task Two_annotators_link_the_corpus_contradictions_across_articles_and_see_each_others_work_live()
    {
        var lead = await factory.PersonAsync("lead");
        var ana = await factory.PersonAsync("ana");
        var ben = await factory.PersonAsync("ben");
        var texts = Corpus.Files.ToDictionary(f => Path.GetFileName(f)[..3], File.ReadAllText);
        var (projectId, documents) = await LiveFactory.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")],
            texts.OrderBy(t => t.Key).Select(t => t.Value).ToArray());
        var documentOf = texts.Keys.Order().Select((article, i) => (article, i)).ToDictionary(x => x.article, x => documents[x.i]);

        await using var anaLive = await factory.LiveAsync(ana);
        await using var benLive = await factory.LiveAsync(ben);
        foreach (var document in documents) { await anaLive.JoinAsync(document); await benLive.JoinAsync(document); }

        async Task<Guid> ClaimAsync(LiveClient who, string article, string phrase)
        {
            var text = texts[article];
            var at = text.IndexOf(phrase, StringComparison.Ordinal);
            Assert.True(at >= 0, $"\"{phrase}\" is not in article {article}");
            var start = text[..at].EnumerateRunes().Count(); // the API counts code points, not UTF-16 units
            var result = await who.CallAsync("CreateAnnotation", documentOf[article],
                new { layer = "claim", label = "CLAIM", start, end = start + phrase.EnumerateRunes().Count() });
            Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
            Assert.Equal(phrase, result.GetProperty("value").GetProperty("text").GetString());
            return result.GetProperty("value").GetProperty("id").GetGuid();
        }

        var links = new List<Guid>();
        foreach (var ((leftArticle, leftPhrase), (rightArticle, rightPhrase), note) in Contradictions)
        {
            var left = await ClaimAsync(anaLive, leftArticle, leftPhrase);
            await benLive.WaitUntilAsync(c => c.Annotations.ContainsKey(left)); // Ben sees Ana's claim as she makes it
            var right = await ClaimAsync(benLive, rightArticle, rightPhrase);
            var link = await benLive.CallAsync("CreateRelation", projectId, new { type = "contradicts", from = right, to = left, note });
            Assert.True(link.GetProperty("ok").GetBoolean(), link.GetRawText());
            var linkId = link.GetProperty("value").GetProperty("id").GetGuid();
            await anaLive.WaitUntilAsync(c => c.Relations.ContainsKey(linkId)); // and Ana sees Ben's link
            links.Add(linkId);
        }

        var server = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/relations")).EnumerateArray().ToList();
        Assert.Equal(links.Order(), server.Select(r => r.GetProperty("id").GetGuid()).Order());
        Assert.All(server, r =>
        {
            Assert.Equal("CONTRADICTS", r.GetProperty("type").GetString());
            Assert.NotEqual(r.GetProperty("fromDocumentId").GetInt64(), r.GetProperty("toDocumentId").GetInt64()); // across articles
        });
        var head = (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/events")).EnumerateArray().Last().GetProperty("sequence").GetInt64();
        foreach (var client in new[] { anaLive, benLive })
        {
            await client.WaitForAsync(head);
            Assert.Equal(12, client.Annotations.Count);
            Assert.Equal(links.Order(), client.Relations.Keys.Order());
            foreach (var relation in server) Assert.Equal(relation.GetRawText(), client.Relations[relation.GetProperty("id").GetGuid()].GetRawText());
            Assert.Equal(Enumerable.Range(1, (int)head).Select(i => (long)i), client.Applied);
        }
    }
}
