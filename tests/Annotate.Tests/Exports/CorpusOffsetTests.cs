using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Annotate.Testing;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Exports;
using Annotate.Web.Infrastructure;
using static Annotate.Tests.Exports.ExportFixture;

namespace Annotate.Tests.Exports;

/// <summary>
/// Article 002 of the reference corpus has flag emoji (5709 code points, 5719 UTF-16 units): every span placed after
/// them must still slice to its text, in code points by default and in UTF-16 units when asked.
/// </summary>
public class CorpusOffsetTests
{
    private static readonly string Text = File.ReadAllText(Corpus.PathOf("002"), Encoding.UTF8);

    private const string MultiLineClaim = "Tavhid va Jihod (“Hay’at Tahrir al-Sham” militants from #Uzbekistan 🇺🇿) ambushed and killed #Russian Troops in #Aleppo.\nMilitants also captured an AKS-74U carbine";

    /// <summary>Article 2 has a relation inside it (doccano's relation shape), article 3 the same spans without (label lists).</summary>
    private static List<ExportDocument> Documents()
    {
        List<ExportSpan> Spans() =>
        [
            Span(Text, "🇸🇾🇷🇺", "FLAG"),
            Span(Text, "Tavhid va Jihod", "ORGANIZATION"),
            Span(Text, "Uzbekistan", "LOCATION", annotator: "Bo"),
            Span(Text, "🇺🇿", "FLAG"),
            Span(Text, "Aleppo", "LOCATION", after: "Russian Troops in #"),
            Span(Text, "Hay’at Tahrir al-Sham", "ORGANIZATION", after: "🇸🇾🇷🇺: Hay"),
            Span(Text, MultiLineClaim, "CLAIM", "claim", note: "two posts\nmerged"),
            Span(Text, "the opposition groups are only two miles outside of Aleppo’s Center", "CLAIM", "claim"),
            Span(Text, "Aleppo’s Center", "LOCATION", after: "only two miles outside of"),
        ];
        var withRelation = Spans();
        var relation = Relation("CONTRADICTS", withRelation[7], 2, withRelation[6], 2, note: "distance");
        return [Document(2, "002", Text, withRelation, [relation]), Document(3, "002 again", Text, Spans())];
    }

    [Fact]
    public void The_article_has_astral_characters_before_the_spans()
    {
        Assert.Equal(5709, CodePoints.Count(Text));
        Assert.Equal(5719, Text.Length);
        Assert.All(Documents()[0].Spans.Where(s => s.Label != "FLAG"), s => Assert.True(CodePoints.ToUtf16Index(Text, s.Start) > s.Start));
    }

    [Theory]
    [InlineData("annotate-jsonl", OffsetUnit.Codepoint)]
    [InlineData("annotate-jsonl", OffsetUnit.Utf16)]
    [InlineData("doccano-jsonl", OffsetUnit.Codepoint)]
    [InlineData("doccano-jsonl", OffsetUnit.Utf16)]
    [InlineData("spacy-jsonl", OffsetUnit.Codepoint)]
    [InlineData("spacy-jsonl", OffsetUnit.Utf16)]
    [InlineData("label-studio-json", OffsetUnit.Codepoint)]
    [InlineData("label-studio-json", OffsetUnit.Utf16)]
    [InlineData("brat", OffsetUnit.Codepoint)]
    [InlineData("brat", OffsetUnit.Utf16)]
    public async Task Every_span_slices_to_its_text(string format, OffsetUnit unit)
    {
        var documents = Documents();
        var exported = format == "brat" ? BratOffsets(await WriteAsync(format, documents, unit)) : JsonOffsets(format, await WriteTextAsync(format, documents, unit));

        // In the order written (by position), each article's spans, with the text they must slice to.
        var expected = documents.SelectMany(d => d.Spans.OrderBy(s => s.Start).ThenBy(s => s.End)
            .Select(s => format == "brat" ? BratText(s.Text) : s.Text)).ToList();
        Assert.Equal(expected.Count, exported.Count);
        for (var i = 0; i < exported.Count; i++)
        {
            var (text, fragments, carried) = exported[i];
            Assert.Equal(Text, text);
            var sliced = string.Join(' ', fragments.Select(f => Slice(text, f.Start, f.End, unit)));
            Assert.Equal(expected[i], sliced);
            // Every span carries its text, except in doccano's [start, end, "LABEL"] triples (doccano reads exactly three items).
            if (carried is null) Assert.True(format == "doccano-jsonl", $"span {i} of the {format} export carries no text");
            else Assert.Equal(expected[i], carried);
        }
        if (format == "doccano-jsonl")
        {
            // Article 2 (with its relation) has entity objects, all carrying text; article 3 has triples of three items.
            Assert.Equal(documents[0].Spans.Count, exported.Take(documents[0].Spans.Count).Count(e => e.Carried is not null));
            Assert.All(JsonLines(await WriteTextAsync(format, documents, unit))[1].GetProperty("label").EnumerateArray(), t => Assert.Equal(3, t.GetArrayLength()));
        }
        // The units differ here, so a mix-up cannot pass: the last span's start moves by the 10 astral characters before it.
        var last = exported.Last().Fragments[0].Start;
        Assert.Equal(unit == OffsetUnit.Utf16 ? CodePoints.ToUtf16Index(Text, documents[1].Spans.Max(s => s.Start)) : documents[1].Spans.Max(s => s.Start), last);
    }

    /// <summary>What brat's TEXT column holds for a span: its lines, trimmed, without the empty ones, joined by a space.</summary>
    private static string BratText(string text) =>
        string.Join(' ', text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));

    private static List<(string Text, List<(int Start, int End)> Fragments, string? Carried)> JsonOffsets(string format, string output)
    {
        var found = new List<(string, List<(int, int)>, string?)>();
        var items = format == "label-studio-json"
            ? Json(output).EnumerateArray().ToList()
            : JsonLines(output).Where(line => !line.TryGetProperty("meta", out _)).ToList();
        foreach (var item in items)
        {
            switch (format)
            {
                case "annotate-jsonl":
                    var text = item.GetProperty("text").GetString()!;
                    foreach (var span in item.GetProperty("spans").EnumerateArray())
                        found.Add((text, [(span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32())], span.GetProperty("text").GetString()));
                    break;
                case "doccano-jsonl":
                    text = item.GetProperty("text").GetString()!;
                    if (item.TryGetProperty("entities", out var entities))
                        foreach (var entity in entities.EnumerateArray())
                            found.Add((text, [(entity.GetProperty("start_offset").GetInt32(), entity.GetProperty("end_offset").GetInt32())],
                                entity.TryGetProperty("text", out var entityText) ? entityText.GetString() : null));
                    else
                        foreach (var label in item.GetProperty("label").EnumerateArray())
                            found.Add((text, [(label[0].GetInt32(), label[1].GetInt32())], null));
                    break;
                case "spacy-jsonl":
                    text = item.GetProperty("text").GetString()!;
                    foreach (var span in item.GetProperty("spans").EnumerateArray())
                        found.Add((text, [(span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32())],
                            span.TryGetProperty("text", out var spanText) ? spanText.GetString() : null));
                    break;
                default:
                    text = item.GetProperty("data").GetProperty("text").GetString()!;
                    // Label Studio groups by annotator; put the regions back in text order to compare.
                    var regions = item.GetProperty("annotations").EnumerateArray()
                        .SelectMany(a => a.GetProperty("result").EnumerateArray())
                        .Where(r => r.GetProperty("type").GetString() == "labels")
                        .Select(r => r.GetProperty("value"))
                        .OrderBy(v => v.GetProperty("start").GetInt32()).ThenBy(v => v.GetProperty("end").GetInt32());
                    foreach (var value in regions)
                        found.Add((text, [(value.GetProperty("start").GetInt32(), value.GetProperty("end").GetInt32())], value.GetProperty("text").GetString()));
                    break;
            }
        }
        return found;
    }

    private static List<(string Text, List<(int Start, int End)> Fragments, string? Carried)> BratOffsets(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        string Read(string name)
        {
            using var reader = new StreamReader(archive.GetEntry(name)!.Open(), new UTF8Encoding(false, true));
            return reader.ReadToEnd();
        }
        var found = new List<(string, List<(int, int)>, string?)>();
        foreach (var id in new[] { 2, 3 })
        {
            var text = Read($"{id}.txt");
            foreach (var line in Read($"{id}.ann").Split('\n').Where(l => l.StartsWith('T')))
            {
                var columns = line.Split('\t');
                var fragments = columns[1][(columns[1].IndexOf(' ') + 1)..].Split(';')
                    .Select(f => f.Split(' ')).Select(f => (int.Parse(f[0]), int.Parse(f[1]))).ToList();
                found.Add((text, fragments, columns[2]));
            }
        }
        return found;
    }
}
