using System.IO.Compression;
using System.Text;
using Annotate.Web.Features.Exports;
using Annotate.Web.Infrastructure;
using static Annotate.Tests.Exports.ExportFixture;

namespace Annotate.Tests.Exports;

/// <summary>brat and CoNLL output read back by small readers written here from the formats' descriptions.</summary>
public class BratAndConllTests
{
    // ---- brat ----

    private sealed record BratSpan(string Id, string Type, List<(int Start, int End)> Fragments, string Text);
    private sealed record BratRelation(string Id, string Type, string Arg1, string Arg2);
    private sealed record BratDocument(string Text, List<BratSpan> Spans, List<BratRelation> Relations, List<(string Target, string Note)> Notes);

    private static (Dictionary<string, BratDocument> Documents, string Conf) ReadBrat(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var strict = new UTF8Encoding(false, true);
        var files = archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var reader = new StreamReader(e.Open(), strict, detectEncodingFromByteOrderMarks: false);
            return reader.ReadToEnd();
        });
        var documents = new Dictionary<string, BratDocument>();
        foreach (var (name, ann) in files.Where(f => f.Key.EndsWith(".ann")))
        {
            var id = name[..^4];
            var document = new BratDocument(files[id + ".txt"], [], [], []);
            Assert.True(ann.Length == 0 || ann.EndsWith('\n'));
            foreach (var line in ann.Split('\n').Where(l => l.Length > 0))
            {
                Assert.DoesNotContain('\r', line);
                var columns = line.Split('\t');
                switch (line[0])
                {
                    case 'T':
                        Assert.Equal(3, columns.Length);
                        var typeEnd = columns[1].IndexOf(' ');
                        var fragments = columns[1][(typeEnd + 1)..].Split(';').Select(f => f.Split(' ')).Select(f => (int.Parse(f[0]), int.Parse(f[1]))).ToList();
                        document.Spans.Add(new BratSpan(columns[0], columns[1][..typeEnd], fragments, columns[2]));
                        break;
                    case 'R':
                        Assert.Equal(2, columns.Length);
                        var parts = columns[1].Split(' ');
                        Assert.StartsWith("Arg1:", parts[1]);
                        Assert.StartsWith("Arg2:", parts[2]);
                        document.Relations.Add(new BratRelation(columns[0], parts[0], parts[1][5..], parts[2][5..]));
                        break;
                    case '#':
                        Assert.Equal(3, columns.Length);
                        Assert.StartsWith("AnnotatorNotes ", columns[1]);
                        document.Notes.Add((columns[1]["AnnotatorNotes ".Length..], columns[2]));
                        break;
                    default:
                        Assert.Fail($"unexpected .ann line: {line}");
                        break;
                }
            }
            documents[id] = document;
        }
        return (documents, files["annotation.conf"]);
    }

    [Fact]
    public async Task Brat_ann_lines_map_back_to_the_same_spans()
    {
        const string text = "Rebels 🇸🇾 entered Aleppo.\n\n  The army said\r\n13 villages fell.  \nOfficials in Damascus declined.";
        var flag = Span(text, "🇸🇾", "FLAG");
        var aleppo = Span(text, "Aleppo", "LOCATION", note: "the city\nnot the governorate");
        var claim = Span(text, "Aleppo.\n\n  The army said\r\n13 villages", "CLAIM", "claim");
        var other = Span(text, "Officials in Damascus declined.", "CLAIM", "claim", annotator: "Bo");
        var unit = Span(text, "army", "MILITARY UNIT");
        var damascus = Span(text, "Damascus", "LOCATION");
        var elsewhere = Span("Nothing else.", "Nothing else.", "CLAIM", "claim");
        var document = Document(41, "t", text, [damascus, claim, flag, aleppo, other, unit],
            [Relation("CONTRADICTS", other, 41, claim, 41, note: "who declined?"), Relation("SUPPORTS", claim, 41, elsewhere, 42)]);
        var second = Document(42, "u", "Nothing else.", [elsewhere]);

        var (documents, conf) = ReadBrat(await WriteAsync("brat", [document, second]));

        Assert.Equal(["41", "42"], documents.Keys.Order());
        var brat = documents["41"];
        Assert.Equal(text, brat.Text); // byte for byte, CRLF included
        Assert.Equal("Nothing else.", documents["42"].Text);
        Assert.Equal([(0, 13)], Assert.Single(documents["42"].Spans).Fragments);

        var expected = document.Spans.OrderBy(s => s.Start).ThenBy(s => s.End).ToList();
        Assert.Equal(expected.Count, brat.Spans.Count);
        foreach (var (span, read) in expected.Zip(brat.Spans))
        {
            Assert.Equal(span.Label.Replace(' ', '_'), read.Type);
            // Each fragment is code points into the text, and the fragments' slices joined by a space are the TEXT column.
            Assert.Equal(read.Text, string.Join(' ', read.Fragments.Select(f => CodePoints.Slice(brat.Text, f.Start, f.End))));
            if (!span.Text.Contains('\n')) Assert.Equal([(span.Start, span.End)], read.Fragments);
        }
        // The claim over a blank line and a CRLF: one fragment per non-blank line, trimmed.
        var fragmented = brat.Spans.Single(s => s.Fragments.Count > 1);
        Assert.Equal("Aleppo. The army said 13 villages", fragmented.Text);
        Assert.Equal(3, fragmented.Fragments.Count);
        Assert.Equal(claim.Start, fragmented.Fragments[0].Start);
        Assert.Equal(claim.End, fragmented.Fragments[^1].End);

        // The relation inside the article, by T id; the one into article 42 cannot be written.
        var relation = Assert.Single(brat.Relations);
        Assert.Equal("CONTRADICTS", relation.Type);
        Assert.Equal("Officials in Damascus declined.", brat.Spans.Single(s => s.Id == relation.Arg1).Text);
        Assert.Equal(fragmented.Id, relation.Arg2);
        Assert.Equal([(brat.Spans.Single(s => s.Text == "Aleppo").Id, "the city not the governorate"), (relation.Id, "who declined?")], brat.Notes);

        var confLines = conf.Split('\n');
        Assert.Equal(["CLAIM", "FLAG", "LOCATION", "MILITARY_UNIT"],
            confLines.SkipWhile(l => l != "[entities]").Skip(1).TakeWhile(l => l.Length > 0));
        Assert.Contains("CONTRADICTS\tArg1:<ENTITY>, Arg2:<ENTITY>", confLines);
        Assert.DoesNotContain(confLines, l => l.StartsWith("SUPPORTS"));
    }

    // ---- CoNLL ----

    private sealed record ConllToken(string Token, string Tag);

    /// <summary>Articles of sentences of tokens; checks the layout on the way.</summary>
    private static List<List<List<ConllToken>>> ReadConll(string output)
    {
        Assert.EndsWith("\n", output);
        var lines = output[..^1].Split('\n');
        var articles = new List<List<List<ConllToken>>>();
        List<ConllToken>? sentence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line == "-DOCSTART- -X- O O")
            {
                Assert.Null(sentence); // the previous article's last sentence was closed by a blank line
                Assert.Equal("", lines[i + 1]);
                i++;
                articles.Add([]);
                continue;
            }
            if (line.Length == 0)
            {
                Assert.NotNull(sentence); // one blank line between sentences, never two
                articles[^1].Add(sentence);
                sentence = null;
                continue;
            }
            var columns = line.Split('\t');
            Assert.Equal(2, columns.Length);
            Assert.Matches("^(O|[BI]-\\S+)$", columns[1]);
            Assert.NotEmpty(columns[0]);
            Assert.DoesNotContain(columns[0], char.IsWhiteSpace);
            (sentence ??= []).Add(new ConllToken(columns[0], columns[1]));
        }
        Assert.Null(sentence);
        return articles;
    }

    /// <summary>Entities from IOB2 tags, in order: (label, the entity's tokens concatenated).</summary>
    private static List<(string Label, string Tokens)> Entities(List<List<ConllToken>> sentences)
    {
        var entities = new List<(string Label, string Tokens)>();
        foreach (var sentence in sentences)
        {
            string? open = null;
            foreach (var (token, tag) in sentence)
            {
                if (tag.StartsWith("B-")) { open = tag[2..]; entities.Add((open, token)); }
                else if (tag.StartsWith("I-"))
                {
                    Assert.Equal(open, tag[2..]); // IOB2: I- only continues an entity of the same label
                    entities[^1] = (open!, entities[^1].Tokens + token);
                }
                else open = null;
            }
        }
        return entities;
    }

    private static string WithoutWhitespace(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    [Fact]
    public async Task Conll_tokens_give_back_the_entities_in_iob2_order()
    {
        const string first = "Syrian rebels entered Aleppo on Wednesday. The army said 13 villages fell!\n\nHeading without a stop\n“They left.” Then #Russian troops withdrew from the Aleppo-Idlib road. 🇸🇾🇷🇺 flags.";
        const string second = "The U.S. Army said nothing. Officials in Damascus declined.";
        const string third = "A claim only.";
        var documents = new List<ExportDocument>
        {
            Document(1, "one", first,
            [
                Span(first, "Syrian", "NORP"),                     // inside a longer entity: the outer one wins
                Span(first, "Syrian rebels", "ORG"),
                Span(first, "Aleppo", "LOCATION"),
                Span(first, "Wednesday", "DATE"),
                Span(first, "The army said 13 villages fell!", "CLAIM", "claim"), // claims are not written
                Span(first, "army", "MILITARY UNIT"),
                Span(first, "13 villages", "QUANTITY"),
                Span(first, "Russia", "LOCATION"),                 // inside the word "#Russian"
                Span(first, "Aleppo", "LOCATION", after: "from the"),   // same start, shorter: dropped
                Span(first, "Aleppo-Idlib road", "FACILITY"),
                Span(first, "Idlib road.", "LOCATION"),            // crosses the facility: dropped
                Span(first, "🇷🇺", "FLAG"),
            ]),
            Document(2, "two", second, [Span(second, "U.S. Army", "ORG"), Span(second, "Damascus", "LOCATION")]),
            Document(3, "three", third, [Span(third, "A claim only.", "CLAIM", "claim")]),
        };

        var output = await WriteTextAsync("conll", documents);
        var articles = ReadConll(output);

        Assert.Equal(3, articles.Count);
        Assert.StartsWith("-DOCSTART- -X- O O\n\n", output, StringComparison.Ordinal);
        // Nothing is lost: the tokens of an article are its text without the whitespace.
        Assert.Equal(documents.Select(d => WithoutWhitespace(d.Text)), articles.Select(a => string.Concat(a.SelectMany(s => s).Select(t => t.Token))));

        Assert.Equal(
        [
            ("ORG", "Syrianrebels"), ("LOCATION", "Aleppo"), ("DATE", "Wednesday"), ("MILITARY_UNIT", "army"),
            ("QUANTITY", "13villages"), ("LOCATION", "Russia"), ("FACILITY", "Aleppo-Idlibroad"), ("FLAG", "🇷🇺"),
        ], Entities(articles[0]));
        Assert.Equal([("ORG", "U.S.Army"), ("LOCATION", "Damascus")], Entities(articles[1]));
        Assert.Empty(Entities(articles[2]));

        // Sentences end at . ! ? before whitespace (after closing quotes too) and at blank lines, never inside an entity.
        Assert.Equal(
        [
            "Syrian rebels entered Aleppo on Wednesday .",
            "The army said 13 villages fell !",
            "Heading without a stop “ They left . ”",
            "Then # Russia n troops withdrew from the Aleppo - Idlib road .",
            "🇸🇾 🇷🇺 flags .",
        ], articles[0].Select(s => string.Join(' ', s.Select(t => t.Token))));
        Assert.Equal(["The U . S . Army said nothing .", "Officials in Damascus declined ."], articles[1].Select(s => string.Join(' ', s.Select(t => t.Token))));
        Assert.Equal(["B-ORG", "I-ORG", "O"], articles[0][0].Take(3).Select(t => t.Tag));
        Assert.All(articles[2].SelectMany(s => s), t => Assert.Equal("O", t.Tag));
    }
}
