using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Annotate.Testing;

namespace Annotate.BrowserTests.Curation;

/// <summary>
/// Reads the curated scope back in every export format and checks it holds exactly the given spans and links: each
/// format parsed as its consumers read it (JSON records, brat's .ann lines, CoNLL's IOB2 tags), not searched as text.
/// </summary>
public static class CuratedExport
{
    public static async Task CheckEveryFormatAsync(HttpClient lead, long projectId, string article,
        (string Label, string Text)[] spans, (string From, string To) inside, (string From, string To) across)
    {
        var expected = spans.Select(s => $"{s.Label}|{s.Text}").Order(StringComparer.Ordinal).ToList();
        var entities = spans.Where(s => s.Label != "CLAIM").Select(s => $"{s.Label}|{s.Text}").Order(StringComparer.Ordinal).ToList();
        string Pair((string From, string To) link) => string.Join(" ~ ", new[] { link.From, link.To }.Order(StringComparer.Ordinal));

        // annotate-jsonl, the one format that can say a link between two articles: both links, by their ends' texts.
        var records = Lines(await FileAsync(lead, projectId, "annotate-jsonl")).Where(r => r.TryGetProperty("spans", out _)).ToList();
        var byId = records.SelectMany(r => r.GetProperty("spans").EnumerateArray()).ToDictionary(s => s.GetProperty("id").GetString()!, s => s);
        Assert.Equal(expected, byId.Values.Select(s => $"{s.GetProperty("label").GetString()}|{s.GetProperty("text").GetString()}").Order(StringComparer.Ordinal));
        var links = records.SelectMany(r => r.GetProperty("relations").EnumerateArray()).ToList();
        Assert.All(links, l => Assert.Equal("CONTRADICTS", l.GetProperty("type").GetString()));
        Assert.Equal(new[] { Pair(inside), Pair(across) }.Order(StringComparer.Ordinal),
            links.Select(l => Pair((byId[l.GetProperty("from").GetString()!].GetProperty("text").GetString()!, byId[l.GetProperty("to").GetString()!].GetProperty("text").GetString()!)))
                .Distinct().Order(StringComparer.Ordinal));

        // The JSON formats with spans: doccano and Label Studio carry the link inside the article, spaCy has no links.
        foreach (var (format, hasLinks) in new[] { ("doccano-jsonl", true), ("label-studio-json", true), ("spacy-jsonl", false) })
        {
            var file = await FileAsync(lead, projectId, format);
            var tasks = format == "label-studio-json" ? JsonDocument.Parse(file).RootElement.EnumerateArray().ToList() : Lines(file);
            var found = new List<string>();
            var linked = 0;
            foreach (var task in tasks)
            {
                var text = task.TryGetProperty("text", out var t) ? t.GetString()! : task.GetProperty("data").GetProperty("text").GetString()!;
                Walk(task, text, found, ref linked);
            }
            Assert.True(expected.SequenceEqual(found.Order(StringComparer.Ordinal)), $"{format}: {string.Join(", ", found)}");
            Assert.True(linked == (hasLinks ? 1 : 0), $"{format} has {linked} links");
        }

        // brat: T lines for the spans, one R line (the link inside the article; brat cannot point into another file).
        using var zip = new ZipArchive(new MemoryStream(await FileAsync(lead, projectId, "brat")));
        var ann = zip.Entries.Where(e => e.FullName.EndsWith(".ann", StringComparison.Ordinal))
            .SelectMany(e => new StreamReader(e.Open()).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(expected, ann.Where(l => l.StartsWith('T')).Select(l => l.Split('\t')).Select(f => $"{f[1].Split(' ')[0]}|{f[2]}").Order(StringComparer.Ordinal));
        Assert.Single(ann, l => l.StartsWith('R'));

        // CoNLL: entities only, one B- tag per curated entity, its tokens spelling its text.
        var tagged = Encoding.UTF8.GetString(await FileAsync(lead, projectId, "conll")).Split('\n')
            .Select(l => l.Split('\t')).Where(f => f.Length == 2 && f[1] != "O").ToList();
        var names = new List<string>();
        foreach (var (token, tag) in tagged.Select(f => (f[0], f[1])))
        {
            if (tag.StartsWith("B-", StringComparison.Ordinal)) names.Add($"{tag[2..]}|{token}");
            else names[^1] += token;
        }
        Assert.Equal(entities.Select(e => e.Replace(" ", "")), names.Order(StringComparer.Ordinal));
        Assert.Contains(article[..20], Encoding.UTF8.GetString(await FileAsync(lead, projectId, "spacy-jsonl")));
    }

    private static async Task<byte[]> FileAsync(HttpClient http, long projectId, string format) =>
        await http.GetByteArrayAsync($"/api/exports/{(await http.ExportAsync(projectId, new { format, scope = "curated" })).GetProperty("id").GetInt64()}/file");

    private static List<JsonElement> Lines(byte[] file) => Encoding.UTF8.GetString(file).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement).ToList();

    /// <summary>Spans (an object with a label and start/end offsets in code points) and links (an object with two ends) anywhere in a record.</summary>
    private static void Walk(JsonElement node, string text, List<string> found, ref int linked)
    {
        // doccano's plain form for an article without links: "label": [[start, end, "LABEL"], ...].
        if (node.ValueKind == JsonValueKind.Array && node.GetArrayLength() == 3 && node[0].ValueKind == JsonValueKind.Number && node[2].ValueKind == JsonValueKind.String)
        {
            found.Add($"{node[2].GetString()}|{string.Concat(text.EnumerateRunes().ToArray()[node[0].GetInt32()..node[1].GetInt32()].Select(r => r.ToString()))}");
            return;
        }
        if (node.ValueKind == JsonValueKind.Array) { foreach (var item in node.EnumerateArray()) Walk(item, text, found, ref linked); return; }
        if (node.ValueKind != JsonValueKind.Object) return;
        var label = node.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()
            : node.TryGetProperty("labels", out var ls) && ls.ValueKind == JsonValueKind.Array ? ls[0].GetString() : null;
        var start = Offset(node, "start") ?? Offset(node, "start_offset");
        var end = Offset(node, "end") ?? Offset(node, "end_offset");
        if (node.TryGetProperty("from_id", out _) && node.TryGetProperty("to_id", out _)) linked++;
        else if (label is not null && start is not null && end is not null)
        {
            // A span's own text where the format carries one; else the article sliced by the export's unit, code points.
            var own = node.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            found.Add($"{label}|{own ?? string.Concat(text.EnumerateRunes().ToArray()[start.Value..end.Value].Select(r => r.ToString()))}");
            return;
        }
        foreach (var property in node.EnumerateObject()) if (property.Name != "text") Walk(property.Value, text, found, ref linked);
    }

    private static int? Offset(JsonElement node, string name) => node.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
}
