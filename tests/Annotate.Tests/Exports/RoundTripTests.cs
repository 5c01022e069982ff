using System.Text.Json;
using Annotate.Web.Features.Annotations;
using Annotate.Web.Features.Imports;
using Annotate.Web.Features.Exports;
using Annotate.Web.Infrastructure;
using static Annotate.Tests.Exports.ExportFixture;

namespace Annotate.Tests.Exports;

public class RoundTripTests
{
    private const string TextA = "Rebels 🇸🇾 entered Aleppo on Wednesday.\nThe army said 13 villages fell.";
    private const string TextB = "More than 50 villages were taken, monitors said.";

    /// <summary>Two articles: an emoji before most spans, a relation inside A and one from A into B.</summary>
    private static List<ExportDocument> Sample()
    {
        var flag = Span(TextA, "🇸🇾", "FLAG");
        var aleppo = Span(TextA, "Aleppo", "LOCATION", note: "the city, not the governorate");
        var wednesday = Span(TextA, "Wednesday", "DATE", annotator: "bo@example.org");
        var entered = Span(TextA, "Rebels 🇸🇾 entered Aleppo on Wednesday.", "CLAIM", "claim", attributes: Json("""{"attributedTo": "the rebels"}"""));
        var fell = Span(TextA, "The army said 13 villages fell.", "CLAIM", "claim", attributes: Json("""{"attributedTo": "the army"}"""));
        var taken = Span(TextB, "More than 50 villages were taken", "CLAIM", "claim");
        var within = Relation("SUPPORTS", fell, 101, entered, 101);
        var across = Relation("CONTRADICTS", fell, 101, taken, 102, annotator: "Bo", note: "13 vs more than 50");
        return
        [
            Document(101, "Rebels enter Aleppo", TextA, [flag, aleppo, wednesday, entered, fell], [within, across]),
            // The job may hand the cross-document relation to both articles: it is written once, with its "from" end.
            Document(102, "Monitors count villages", TextB, [taken], [across]),
        ];
    }

    private static List<ParsedAnnotatedArticle> Parse(string fileName, string text)
    {
        var articles = new List<ParsedAnnotatedArticle>();
        var errors = new List<ImportError>();
        AnnotatedJsonlReader.Parse(fileName, text, articles, errors);
        Assert.Empty(errors);
        return articles;
    }

    /// <summary>What an importer does with the parse: new ids for articles and spans, relations resolved by key.</summary>
    private static List<ExportDocument> Rebuild(List<ParsedAnnotatedArticle> articles)
    {
        var documentIds = articles.ToDictionary(a => a.FileId!.Value, a => a.FileId!.Value + 1000);
        var spanIds = articles.SelectMany(a => a.Spans.Select(s => (a.FileId!.Value, s.Key))).ToDictionary(k => k, _ => Guid.NewGuid());
        return articles.Select(a => new ExportDocument(documentIds[a.FileId!.Value], a.Title ?? "", a.Source, a.Published, a.Text, Sha256(a.Text),
            a.Spans.Select(s => new ExportSpan(spanIds[(a.FileId!.Value, s.Key)], s.Start, s.End, s.Text ?? CodePoints.Slice(a.Text, s.Start, s.End),
                s.Layer ?? "entity", s.Label, s.Annotator ?? "", s.Attributes ?? NoAttributes, s.Note)).ToList(),
            a.Relations.Select(r =>
            {
                var toDocument = r.ToDocument ?? a.FileId!.Value;
                return new ExportRelation(Guid.NewGuid(), r.Type, spanIds[(a.FileId!.Value, r.FromKey)], spanIds[(toDocument, r.ToKey)],
                    documentIds[a.FileId!.Value], documentIds[toDocument], r.Annotator ?? "", r.Note);
            }).ToList())).ToList();
    }

    [Fact]
    public async Task Annotate_jsonl_round_trips_through_the_reader()
    {
        var documents = Sample();
        var first = await WriteTextAsync("annotate-jsonl", documents);

        var lines = JsonLines(first);
        Assert.Equal(3, lines.Count);
        var meta = lines[0].GetProperty("meta");
        Assert.Equal("annotate-jsonl", meta.GetProperty("format").GetString());
        Assert.Equal(1, meta.GetProperty("version").GetInt32());
        Assert.Equal("codepoint", meta.GetProperty("offsets").GetString());
        Assert.Equal("all", meta.GetProperty("scope").GetString());
        Assert.False(meta.GetProperty("finishedOnly").GetBoolean());
        Assert.Equal(7, meta.GetProperty("project").GetProperty("id").GetInt64());
        Assert.Equal("Aleppo offensive", meta.GetProperty("project").GetProperty("name").GetString());
        Assert.Equal(CreatedAt, meta.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(0, meta.GetProperty("relationsLeftOut").GetInt32()); // the job counts them; none were left out here
        // "Aleppo" comes after the flag: two code points, four UTF-16 units.
        var aleppo = lines[1].GetProperty("spans").EnumerateArray().Single(s => s.GetProperty("label").GetString() == "LOCATION");
        Assert.Equal((18, 24), (aleppo.GetProperty("start").GetInt32(), aleppo.GetProperty("end").GetInt32()));
        var relations = lines[1].GetProperty("relations").EnumerateArray().ToList();
        Assert.Equal(2, relations.Count);
        Assert.False(relations[0].TryGetProperty("toDocument", out _));
        Assert.Equal(102, relations[1].GetProperty("toDocument").GetInt64());
        Assert.Empty(lines[2].GetProperty("relations").EnumerateArray());

        var parsed = Parse("export.jsonl", first);
        Assert.Equal(2, parsed.Count);
        Assert.Equal([101L, 102L], parsed.Select(a => a.FileId!.Value));
        Assert.Equal([2, 3], parsed.Select(a => a.Line));
        var original = documents[0].Spans.OrderBy(s => s.Start).ThenBy(s => s.End).ToList();
        Assert.Equal(original.Select(s => (s.Id.ToString(), s.Start, s.End, s.Label, s.Layer, s.Text, s.Annotator, JsonSerializer.Serialize(s.Attributes), s.Note)),
            parsed[0].Spans.Select(s => (s.Key, s.Start, s.End, s.Label, s.Layer!, s.Text!, s.Annotator!, JsonSerializer.Serialize(s.Attributes), s.Note)));
        Assert.Equal(("Rebels enter Aleppo", "https://news.example/101", documents[0].Published, TextA),
            (parsed[0].Title, parsed[0].Source, parsed[0].Published, parsed[0].Text));
        Assert.Contains(parsed[0].Relations, r => r.Type == "CONTRADICTS" && r.ToDocument == 102 && r.Note == "13 vs more than 50" && r.Annotator == "Bo");

        var second = await WriteTextAsync("annotate-jsonl", Rebuild(parsed));
        Assert.NotEqual(first, second); // new ids
        Assert.Equal(WithoutIdsAndTimes(first), WithoutIdsAndTimes(second));
    }

    [Fact]
    public async Task Annotate_jsonl_in_utf16_reads_back_as_code_points()
    {
        var documents = Sample();
        var utf16 = await WriteTextAsync("annotate-jsonl", documents, OffsetUnit.Utf16);
        var aleppo = JsonLines(utf16)[1].GetProperty("spans").EnumerateArray().Single(s => s.GetProperty("label").GetString() == "LOCATION");
        Assert.Equal(20, aleppo.GetProperty("start").GetInt32()); // two surrogate pairs before it

        var parsed = Parse("export.jsonl", utf16);
        Assert.Equal(documents[0].Spans.OrderBy(s => s.Start).Select(s => (s.Start, s.End)), parsed[0].Spans.Select(s => (s.Start, s.End)));
        // Written again in code points, it is the code-point export.
        Assert.Equal(WithoutIdsAndTimes(await WriteTextAsync("annotate-jsonl", documents)),
            WithoutIdsAndTimes(await WriteTextAsync("annotate-jsonl", Rebuild(parsed))));
    }

    [Fact]
    public async Task Doccano_jsonl_round_trips_through_the_reader()
    {
        var first = await WriteTextAsync("doccano-jsonl", Sample());

        var lines = JsonLines(first);
        // A has a relation inside it: the relation-extraction shape. B has none it can express: the label list.
        Assert.Equal(["id", "text", "entities", "relations"], lines[0].EnumerateObject().Select(p => p.Name));
        var entities = lines[0].GetProperty("entities").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 5), entities.Select(e => e.GetProperty("id").GetInt32()));
        var relation = Assert.Single(lines[0].GetProperty("relations").EnumerateArray()); // the one into B is left out
        Assert.Equal("SUPPORTS", relation.GetProperty("type").GetString());
        var from = entities.Single(e => e.GetProperty("id").GetInt32() == relation.GetProperty("from_id").GetInt32());
        Assert.Equal("The army said 13 villages fell.",
            CodePoints.Slice(TextA, from.GetProperty("start_offset").GetInt32(), from.GetProperty("end_offset").GetInt32()));
        Assert.Equal(["id", "text", "label"], lines[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("""[[0,32,"CLAIM"]]""", lines[1].GetProperty("label").GetRawText());

        var parsed = Parse("doccano.jsonl", first);
        Assert.Equal([5, 1], parsed.Select(a => a.Spans.Count));
        Assert.Equal("SUPPORTS", Assert.Single(parsed[0].Relations).Type);
        var second = await WriteTextAsync("doccano-jsonl", Rebuild(parsed));
        Assert.Equal(WithoutIdsAndTimes(first), WithoutIdsAndTimes(second));
    }

    [Fact]
    public void Doccano_older_labels_alias_is_read()
    {
        var parsed = Parse("old.jsonl", """{"id": 3, "text": "Go 🇸🇾 now", "labels": [[3, 5, "FLAG"], [6, 9, "WORD"]]}""" + "\n");
        var article = Assert.Single(parsed);
        Assert.Equal([("#1", 3, 5, "FLAG"), ("#2", 6, 9, "WORD")], article.Spans.Select(s => (s.Key, s.Start, s.End, s.Label)));
        Assert.All(article.Spans, s => Assert.Null(s.Layer));
    }
}
