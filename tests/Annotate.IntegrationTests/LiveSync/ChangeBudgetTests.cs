using Annotate.Web.Features.Annotations;
using Annotate.Web.Infrastructure;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>
/// One size budget for a single change (<see cref="ChangeBudget"/>): the hub receives what REST stores (SignalR's default
/// of 32 KB closed the connection on a long note), and REST refuses one byte more with 413.
/// </summary>
public class ChangeBudgetTests(LiveFactory factory) : IClassFixture<LiveFactory>
{
    // Every field of a span at its longest: a checked text of 10,000 characters (CJK: three UTF-8 bytes each, six once
    // the client escapes them), a note of 10,000 emoji (two escaped UTF-16 units, twelve bytes each as JSON: a note's
    // limit counts characters, as its column does) and attributes of 10,000.
    private static readonly string Article = string.Concat(Enumerable.Repeat("海岸警備隊は乗客二百十二人全員を救助した。", 500))[..SpanRules.MaxCheckedTextLength];
    private static readonly string LongestNote = string.Concat(Enumerable.Repeat("🙂", Limits.Note.Max));
    private static string LongestAttributes()
    {
        // ASCII: the .NET client escapes other characters, and attributes are limited as the JSON text that arrives.
        var json = $$"""{"attributedTo":"{{new string('x', SpanRules.MaxAttributesLength - 19)}}"}""";
        Assert.Equal(SpanRules.MaxAttributesLength, json.Length);
        return json;
    }

    [Fact]
    public async Task The_largest_change_passes_the_hub_both_ways_and_REST()
    {
        var lead = await factory.PersonAsync("lead");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Article);
        await using var writer = await factory.LiveAsync(lead);
        await using var watcher = await factory.LiveAsync(lead);
        await writer.JoinAsync(documents[0]);
        await watcher.JoinAsync(documents[0]);
        using var attributes = JsonDocument.Parse(LongestAttributes());
        var id = Guid.NewGuid();

        var created = await writer.CallAsync("CreateAnnotation", documents[0], new
        {
            id, layer = "claim", label = "CLAIM", start = 0, end = Article.Length, text = Article, note = LongestNote, attributes = attributes.RootElement,
        });

        Assert.True(created.GetProperty("ok").GetBoolean(), created.GetRawText());
        await watcher.WaitUntilAsync(c => c.Annotations.ContainsKey(id));
        Assert.Equal(LongestNote, watcher.Annotations[id].GetProperty("note").GetString());
        Assert.Equal(Article, watcher.Annotations[id].GetProperty("text").GetString());

        // As large a change over REST (a span one character shorter: the same one again would be a duplicate), and an
        // update of the first with every field again.
        var rest = await lead.Http.PostAsJsonAsync($"/api/documents/{documents[0]}/annotations", new
        {
            layer = "claim", label = "CLAIM", start = 1, end = Article.Length, text = Article[1..] , note = LongestNote, attributes = attributes.RootElement,
        });
        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        var update = await writer.CallAsync("UpdateAnnotation", id, new { note = LongestNote[2..] + "x", text = Article, start = 0, end = Article.Length, attributes = attributes.RootElement, version = 1 });
        Assert.True(update.GetProperty("ok").GetBoolean(), update.GetRawText());
    }

    [Fact]
    public async Task REST_takes_a_body_of_exactly_the_budget_and_says_413_to_one_byte_more()
    {
        var lead = await factory.PersonAsync("lead");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Article);
        var path = $"/api/documents/{documents[0]}/annotations";

        var exact = await lead.Http.PostAsync(path, Body(ChangeBudget.MaxBytes));
        Assert.Equal(HttpStatusCode.Created, exact.StatusCode);

        var over = await lead.Http.PostAsync(path, Body(ChangeBudget.MaxBytes + 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        var problem = await over.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"{ChangeBudget.MaxBytes:N0} bytes", problem.GetProperty("detail").GetString());
        var stored = await lead.Http.GetFromJsonAsync<JsonElement>(path);
        Assert.Equal(1, stored.GetArrayLength());
    }

    [Fact]
    public async Task The_hub_refuses_a_message_over_the_budget_by_closing_as_SignalR_does()
    {
        var lead = await factory.PersonAsync("lead");
        var (_, documents) = await LiveFactory.ProjectAsync(lead, "open", [], Article);
        using var hub = await RawHubConnection.ConnectAsync(factory.BaseUrl, lead.Token);
        var arguments = await Body(ChangeBudget.MaxBytes + 1).ReadAsStringAsync();

        await hub.SendAsync($$"""{"type":1,"invocationId":"1","target":"CreateAnnotation","arguments":[{{documents[0]}},{{arguments}}]}""");

        while (await hub.ReceiveAsync() is { } message)
            Assert.NotEqual(3, message.GetProperty("type").GetInt32()); // an answer would mean the message was taken
        var stored = await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{documents[0]}/annotations");
        Assert.Equal(0, stored.GetArrayLength());
    }

    /// <summary>A valid span create of exactly <paramref name="bytes"/> bytes: the longest fields, padded with JSON white space.</summary>
    private static StringContent Body(int bytes)
    {
        var json = JsonSerializer.Serialize(new
        {
            layer = "claim", label = "CLAIM", start = 0, end = 10, note = LongestNote, attributes = JsonDocument.Parse(LongestAttributes()).RootElement,
        });
        var size = Encoding.UTF8.GetByteCount(json);
        Assert.True(size < bytes, $"the fields alone take {size} bytes");
        return new StringContent(json[..^1] + new string(' ', bytes - size) + "}", Encoding.UTF8, "application/json");
    }
}
