namespace Annotate.IntegrationTests.Platform;

/// <summary>
/// Seeded random input against the importers and the write API: random bytes, invalid UTF-8, a BOM, CRLF, a 10 MB
/// line, deep JSON, huge numbers, negative, inverted and out-of-range offsets, unknown labels, duplicate ids, NUL.
/// Never a 5xx; afterwards the database holds exactly what the accepted requests said they wrote (an import with
/// any bad part writes nothing). The seed is in every failure message: set ANNOTATE_FUZZ_SEED to replay one.
/// The table-driven UnstorableTextTests keep the exact cases; this finds the ones nobody thought to write down.
/// </summary>
public class FuzzTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("ANNOTATE_FUZZ_SEED"), out var seed) ? seed : 20261202;

    private static readonly string[] Labels = ["PERSON", "ORGANIZATION", "LOCATION", "QUANTITY", "DATE", "CLAIM", "NO_SUCH_LABEL", "", "person"];

    private record Counts(int Documents, int Spans, int Relations);

    private async Task<Counts> CountsAsync(long projectId)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return new(await db.Documents.CountAsync(d => d.ProjectId == projectId),
            await db.Annotations.CountAsync(a => a.ProjectId == projectId),
            await db.Relations.CountAsync(r => r.ProjectId == projectId));
    }

    private async Task<(SignedInClient Lead, long ProjectId)> ProjectAsync(string name)
    {
        var lead = await factory.SignUpAsync("fuzz");
        return (lead, await lead.ProjectAsync(name + " " + Guid.NewGuid()));
    }

    // ---------------------------------------------------------------- generators

    private static string Words(Random random, int count) =>
        string.Join(' ', Enumerable.Range(0, count).Select(_ => new[] { "ferry", "Coast", "Guard", "212", "rescued", "🇬🇧", "fire", "Ära", "火災", "said" }[random.Next(10)]));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>One file's bytes: mostly plausible, each with one kind of damage or none.</summary>
    private static (string Name, byte[] Bytes, string Damage) File(Random random, int index, bool allowHuge)
    {
        var text = $"Fuzzed article {index}\n\n{Words(random, 5 + random.Next(40))}.";
        var line = JsonSerializer.Serialize(new { title = $"Fuzz {index}", text });
        var spanned = $$"""{"title":"Spans {{index}}","text":{{JsonSerializer.Serialize(text)}},"spans":[{"start":{{random.Next(-3, 60)}},"end":{{random.Next(-3, 60)}},"label":"{{Labels[random.Next(Labels.Length)]}}","layer":"entity"}]}""";
        switch (random.Next(allowHuge ? 16 : 15))
        {
            case 0: return ($"clean{index}.txt", Utf8(text), "none");
            case 1: return ($"clean{index}.jsonl", Utf8(line + "\n"), "none");
            case 2: { var bytes = new byte[random.Next(1, 2000)]; random.NextBytes(bytes); return ($"bytes{index}.txt", bytes, "random bytes"); }
            case 3: return ($"bad-utf8-{index}.txt", [.. Utf8(text[..10]), 0xC3, 0x28, 0xFF, .. Utf8(text[10..])], "invalid UTF-8");
            case 4: return ($"bom{index}.jsonl", [0xEF, 0xBB, 0xBF, .. Utf8(line + "\r\n" + line.Replace("Fuzz", "Fuzz again") + "\r\n")], "BOM and CRLF");
            case 5: return ($"nul{index}.txt", Utf8(text.Insert(5, "\0")), "NUL");
            case 6: return ($"surrogate{index}.jsonl", Utf8(line.Replace("Fuzzed", "Fuzzed \\ud800")), "lone surrogate escape");
            case 7: return ($"cesu{index}.txt", [.. Utf8("Lone "), 0xED, 0xA0, 0x80, .. Utf8(" surrogate")], "surrogate in UTF-8");
            case 8: return ($"deep{index}.jsonl", Utf8("{\"text\":\"deep\",\"meta\":" + new string('[', 5000) + new string(']', 5000) + "}\n"), "deep JSON");
            case 9: return ($"huge{index}.jsonl", Utf8("{\"text\":\"a huge number\",\"meta\":{\"n\":1e999999,\"m\":123456789012345678901234567890}}\n"), "huge numbers");
            case 10: return ($"broken{index}.jsonl", Utf8(line + "\n{\"text\": \n" + line.Replace("Fuzz", "Other") + "\n"), "a broken line among good ones");
            case 11: return ($"types{index}.jsonl", Utf8("{\"text\": 42}\n{\"text\": [\"a\"]}\n{\"title\": {}}\n"), "wrong JSON types");
            case 12: return ($"spans{index}.jsonl", Utf8(spanned + "\n"), "spans with random offsets and labels");
            case 13: return ($"empty{index}.txt", [], "empty");
            case 14: return ($"studio{index}.json", Utf8(random.Next(2) == 0 ? "[{\"data\": {\"text\": 5}}]" : "{\"data\": null}"), "malformed Label Studio tasks");
            default: return ($"long-line{index}.jsonl", Utf8("{\"text\":\"" + new string('a', 10 * 1024 * 1024) + "\"}\n"), "a 10 MB line");
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- properties

    [Fact]
    public async Task Random_imports_never_fail_with_5xx_and_a_refused_one_writes_nothing()
    {
        var random = new Random(Seed);
        var (lead, projectId) = await ProjectAsync("Fuzz imports");
        var hugeSent = false;
        int acceptedImports = 0, refusedImports = 0;
        for (var round = 0; round < 40; round++)
        {
            var files = Enumerable.Range(0, 1 + random.Next(3)).Select(i => File(random, round * 10 + i, allowHuge: !hugeSent)).ToList();
            hugeSent |= files.Any(f => f.Damage == "a 10 MB line");
            var form = new MultipartFormDataContent();
            foreach (var (name, bytes, _) in files) form.Add(new ByteArrayContent(bytes), "files", name);
            var mode = new[] { "", "pre-annotations", "curated", "nonsense" }[random.Next(4)];
            if (mode.Length > 0) form.Add(new StringContent(mode), "annotations");
            if (random.Next(3) == 0) form.Add(new StringContent("true"), "createLabels");
            var what = $"seed {Seed}, round {round}: {string.Join(", ", files.Select(f => $"{f.Name} ({f.Damage})"))}, annotations '{mode}'";

            var before = await CountsAsync(projectId);
            var response = await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form);
            var body = await response.Content.ReadAsStringAsync();
            var after = await CountsAsync(projectId);

            Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("   at ", body); // a message, never a stack trace
            if (response.IsSuccessStatusCode)
            {
                acceptedImports++;
                var result = JsonSerializer.Deserialize<JsonElement>(body);
                Assert.Equal(before.Documents + result.GetProperty("created").GetArrayLength(), after.Documents);
                Assert.Equal(before.Spans + result.GetProperty("spans").GetInt32(), after.Spans);
                Assert.Equal(before.Relations + result.GetProperty("relations").GetInt32(), after.Relations);
            }
            else
            {
                refusedImports++;
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(before == after, $"{what}: refused with {(int)response.StatusCode} but the project changed from {before} to {after}");
            }
        }
        // Not a vacuous run: the seed gives both kinds of answer (and the 10 MB line was among the files).
        Assert.True(acceptedImports >= 3 && refusedImports >= 3 && hugeSent, $"seed {Seed}: {acceptedImports} accepted, {refusedImports} refused, 10 MB line sent: {hugeSent}");
        // Whatever got in is storable text: no NUL, no lone surrogate.
        using var scope = factory.Services.CreateScope();
        var texts = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Documents.Where(d => d.ProjectId == projectId).Select(d => d.Text).ToListAsync();
        Assert.All(texts, t => Assert.False(t.Contains('\0') || HasLoneSurrogate(t), "a stored text holds NUL or a lone surrogate"));
    }

    [Fact]
    public async Task Random_span_and_link_writes_never_fail_with_5xx_and_the_database_holds_exactly_the_accepted_ones()
    {
        var random = new Random(Seed + 1);
        var (lead, projectId) = await ProjectAsync("Fuzz writes");
        const string text = "The Coast Guard 🇬🇧 said 212 were rescued; the company said 190. 火災 Ära.";
        var form = new MultipartFormDataContent { { new ByteArrayContent(Utf8(text)), "files", "a.txt" }, { new ByteArrayContent(Utf8(text + " Second.")), "files", "b.txt" } };
        var imported = await (await lead.Http.PostAsync($"/api/projects/{projectId}/documents", form)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var documents = imported.GetProperty("created").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToArray();
        var length = text.EnumerateRunes().Count();
        var flag = text.IndexOf("🇬🇧", StringComparison.Ordinal); // a UTF-16 index: the flag is four units, two surrogate pairs

        var accepted = new Dictionary<Guid, (long Document, int Start, int End, string Label)>();
        var claims = new List<Guid>();
        var usedIds = new List<Guid>();
        int acceptedLinks = 0, refusedWrites = 0;
        for (var round = 0; round < 150; round++)
        {
            var document = documents[random.Next(2)];
            string json;
            var id = usedIds.Count > 0 && random.Next(8) == 0 ? usedIds[random.Next(usedIds.Count)] : Guid.NewGuid(); // duplicate ids too
            // Half are well-formed (a label of the right layer, offsets inside the text): the accepted side must be exercised too.
            var wellFormed = random.Next(2) == 0;
            var start = wellFormed ? random.Next(0, length - 12)
                : random.Next(8) switch { 0 => -random.Next(1, 5), 1 => length + random.Next(0, 5), 2 => int.MaxValue, _ => random.Next(0, length) };
            var end = wellFormed ? start + random.Next(1, 12)
                : random.Next(6) switch { 0 => start - 1, 1 => start, 2 => length + 1, _ => start + random.Next(1, 12) };
            var claim = random.Next(3) == 0;
            var label = wellFormed ? (claim ? "CLAIM" : new[] { "PERSON", "ORGANIZATION", "LOCATION", "QUANTITY", "DATE" }[random.Next(5)]) : Labels[random.Next(Labels.Length)];
            var layer = wellFormed ? (claim ? "claim" : "entity") : new[] { "entity", "claim", "relation", "nonsense" }[random.Next(4)];
            var note = wellFormed ? "ok" : random.Next(5) == 0 ? "note with \0 NUL" : random.Next(5) == 0 ? new string('n', 20_000) : "ok";
            json = wellFormed ? JsonSerializer.Serialize(new { id, start, end, label, layer, note }) : random.Next(6) switch
            {
                0 => "{\"start\": 1e400, \"end\": 2, \"label\": \"PERSON\", \"layer\": \"entity\"}",
                1 => "{\"start\": ",
                2 => "[" + new string('[', 3000) + new string(']', 3000) + "]",
                3 => $"{{\"id\":\"{id}\",\"start\":\"one\",\"end\":2,\"label\":\"PERSON\",\"layer\":\"entity\"}}",
                // UTF-16 offsets, one end inside one of the flag's surrogate pairs (or not, by chance): refused as splitting a character.
                4 => JsonSerializer.Serialize(new { id, start = flag + random.Next(0, 4), end = flag + 4 + random.Next(0, 3), label = "LOCATION", layer = "entity", unit = "utf16" }),
                _ => JsonSerializer.Serialize(new { id, start, end, label, layer, note }),
            };
            var what = $"seed {Seed + 1}, round {round}: {json[..Math.Min(json.Length, 200)]}";
            var before = await CountsAsync(projectId);
            var response = await lead.Http.PostAsync($"/api/documents/{document}/annotations", new StringContent(json, Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{what}: {(int)response.StatusCode} {body}");
            Assert.DoesNotContain("   at ", body);
            if (json.Contains("\"utf16\"") && JsonSerializer.Deserialize<JsonElement>(json) is var sent
                && (sent.GetProperty("start").GetInt32() - flag is 1 or 3 || sent.GetProperty("end").GetInt32() - flag is 1 or 3))
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest && body.Contains("inside a character"), $"{what}: a split surrogate pair answered {(int)response.StatusCode} {body}");
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var span = JsonSerializer.Deserialize<JsonElement>(body);
                var spanId = span.GetProperty("id").GetGuid();
                Assert.False(accepted.ContainsKey(spanId), $"{what}: a second span with id {spanId}");
                accepted[spanId] = (document, span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(), span.GetProperty("label").GetString()!);
                Assert.InRange(accepted[spanId].Start, 0, length);
                Assert.InRange(accepted[spanId].End, accepted[spanId].Start + 1, length + " Second.".Length);
                usedIds.Add(spanId);
                if (span.GetProperty("layer").GetString() == "claim") claims.Add(spanId);
            }
            else if (response.IsSuccessStatusCode) usedIds.Add(id); // a retry of an accepted id answers 200, changing nothing
            else
            {
                refusedWrites++;
                Assert.Equal(before, await CountsAsync(projectId));
            }

            // Now and then a link between two random spans (claims or not, possibly the same one).
            if (claims.Count > 0 && random.Next(4) == 0)
            {
                var from = random.Next(2) == 0 ? claims[random.Next(claims.Count)] : Guid.NewGuid();
                var to = usedIds.Count > 0 ? usedIds[random.Next(usedIds.Count)] : Guid.NewGuid();
                var type = new[] { "CONTRADICTS", "SUPPORTS", "PERSON", "nope" }[random.Next(4)];
                var linkBefore = await CountsAsync(projectId);
                var link = await lead.Http.PostAsJsonAsync($"/api/projects/{projectId}/relations", new { id = Guid.NewGuid(), from, to, type });
                var linkBody = await link.Content.ReadAsStringAsync();
                Assert.True((int)link.StatusCode < 500, $"seed {Seed + 1}, round {round} link {from}->{to} {type}: {(int)link.StatusCode} {linkBody}");
                if (link.StatusCode == HttpStatusCode.Created) acceptedLinks++;
                else Assert.Equal(linkBefore, await CountsAsync(projectId));
            }
        }

        Assert.True(accepted.Count >= 10 && refusedWrites >= 10, $"seed {Seed + 1}: {accepted.Count} spans accepted, {refusedWrites} refused");
        // The database holds exactly the accepted spans, with the offsets and labels they were accepted with.
        var stored = new Dictionary<Guid, (long, int, int, string)>();
        foreach (var document in documents)
            foreach (var span in (await lead.Http.GetFromJsonAsync<JsonElement>($"/api/documents/{document}/annotations")).EnumerateArray())
                stored[span.GetProperty("id").GetGuid()] = (document, span.GetProperty("start").GetInt32(), span.GetProperty("end").GetInt32(), span.GetProperty("label").GetString()!);
        Assert.Equal(accepted.OrderBy(a => a.Key), stored.OrderBy(s => s.Key));
        Assert.Equal(acceptedLinks, (await CountsAsync(projectId)).Relations);
    }
}
