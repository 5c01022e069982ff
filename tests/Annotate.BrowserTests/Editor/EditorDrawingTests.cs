using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Testing;
using Microsoft.Playwright;

namespace Annotate.BrowserTests.Editor;

/// <summary>
/// What the editor draws on the text besides colours: label tags (never over each other, readable, in contrast), the
/// legend that filters, who marked what in the everyone view, and links as markers, arcs and badges.
/// </summary>
public class EditorDrawingTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Article = "Captain Ilse Brandvold of Northline Shipping said nobody was seriously hurt on the ferry.\n\n"
        + "The coast guard said the fire started in a fuel pump, and Northline Shipping denied it.";

    /// <summary>
    /// The boxes of every label tag in the text: [left, top, right, bottom, contrast of its text on its background,
    /// its words], the contrast computed in the page from the colours the browser resolved.
    /// </summary>
    private const string TagBoxes = """
        () => {
          const lum = c => { const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                             return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          return [...document.querySelectorAll('#document-text .span-tag')].map(t => {
            const r = t.getBoundingClientRect(), s = getComputedStyle(t);
            const [hi, lo] = [lum(s.color), lum(s.backgroundColor)].sort((a, b) => b - a);
            return [r.left, r.top, r.right, r.bottom, (hi + 0.05) / (lo + 0.05), getComputedStyle(t, '::before').content];
          });
        }
        """;

    private static void AssertNoTwoOverlap(JsonElement boxes, string where)
    {
        var list = boxes.EnumerateArray().Select(b => (L: b[0].GetDouble(), T: b[1].GetDouble(), R: b[2].GetDouble(), B: b[3].GetDouble(), Contrast: b[4].GetDouble(), Words: b[5].GetString())).ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            Assert.True(a.R - a.L > 6 && a.B - a.T > 8, $"{where}: tag {a.Words} is too small to read ({a.R - a.L} x {a.B - a.T})");
            Assert.True(a.Contrast >= 4.5, $"{where}: tag {a.Words} has a contrast of {a.Contrast:F2}");
            for (var j = i + 1; j < list.Count; j++)
            {
                var b = list[j];
                var overlap = Math.Min(a.R, b.R) - Math.Max(a.L, b.L) > 0.5 && Math.Min(a.B, b.B) - Math.Max(a.T, b.T) > 0.5;
                Assert.False(overlap, $"{where}: tags {a.Words} and {b.Words} are drawn over each other");
            }
        }
    }

    [Fact]
    public async Task Tags_of_nested_and_overlapping_spans_are_readable_and_never_drawn_over_each_other()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("tags.txt", Article));
        var doc = docs[0];
        await SpanAsync(lead, doc, "claim", "CLAIM", 0, 89);           // the first sentence
        await SpanAsync(lead, doc, "entity", "PERSON", 0, 22);         // Captain Ilse Brandvold: starts with the claim
        await SpanAsync(lead, doc, "entity", "PERSON", 8, 22);         // Ilse Brandvold, nested in it
        await SpanAsync(lead, doc, "entity", "ORGANIZATION", 26, 44);  // Northline Shipping
        await SpanAsync(lead, doc, "entity", "LOCATION", 13, 35);      // Brandvold of Northline: crosses both
        await SpanAsync(lead, doc, "entity", "ORGANIZATION", 149, 167); // the second Northline Shipping
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{doc}");

        var tags = page.Locator("#document-text .span-tag");
        await Assertions.Expect(tags).ToHaveCountAsync(6);
        // Where spans start together the outermost span's tag comes first; long labels are abbreviated.
        var words = await tags.EvaluateAllAsync<string[]>("ts => ts.map(t => t.dataset.tag)");
        Assert.Equal(["CLAIM", "PERSON", "PERSON", "LOCATION", "ORG.", "ORG."], words);
        Assert.Equal(["0", "1", "2"], await tags.EvaluateAllAsync<string[]>("ts => ts.slice(0, 3).map(t => t.dataset.level)"));
        AssertNoTwoOverlap(await page.EvaluateAsync<JsonElement>(TagBoxes), "laptop width");
        // The tags' words are not part of the text: the spans' text and the offsets stay the article's.
        await Assertions.Expect(page.Span("Ilse").First).ToBeVisibleAsync();
        Assert.DoesNotContain("PERSON", await page.Locator("#document-text").TextContentAsync());

        // Clicking a tag opens its span.
        await tags.Nth(4).ClickAsync();
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("Northline Shipping");

        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.Locator("#document-text")).ToHaveAttributeAsync("data-cut", "done");
        AssertNoTwoOverlap(await page.EvaluateAsync<JsonElement>(TagBoxes), "phone width");
        var problems = await page.AxeProblemsAsync();
        Assert.True(problems.Length == 0, string.Join("; ", problems));
    }

    [Fact]
    public async Task Five_thousand_tags_on_a_long_article_stand_apart()
    {
        var lead = await browser.PersonAsync("lead");
        var text = string.Concat(Enumerable.Repeat("The Coast Guard said all 212 passengers 🚢 were rescued after the fire. ", 1500));
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("long.txt", text));
        await TestDatabase.SeedSpansAsync(docs[0], 5_000);
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");
        await Assertions.Expect(page.Locator("#document-text .span-tag")).ToHaveCountAsync(5_000);
        // Every tag against its neighbours in reading order (sorted by line, then across it): none covers another.
        var clashes = await page.EvaluateAsync<string[]>("""
            () => {
              const boxes = [...document.querySelectorAll('#document-text .span-tag')].map(t => t.getBoundingClientRect())
                .sort((a, b) => a.top - b.top || a.left - b.left);
              const clashes = [];
              for (let i = 0; i < boxes.length; i++)
                for (let j = i + 1; j < boxes.length && boxes[j].top < boxes[i].bottom; j++) {
                  const a = boxes[i], b = boxes[j];
                  if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5) clashes.push(`${i}/${j}`);
                }
              return clashes.slice(0, 5);
            }
            """);
        Assert.Empty(clashes);
    }

    [Fact]
    public async Task The_legend_counts_each_label_and_shows_only_the_one_clicked()
    {
        var lead = await browser.PersonAsync("lead");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [], ("legend.txt", Article));
        var doc = docs[0];
        await SpanAsync(lead, doc, "entity", "PERSON", 8, 22);
        await SpanAsync(lead, doc, "entity", "ORGANIZATION", 26, 44);
        await SpanAsync(lead, doc, "entity", "ORGANIZATION", 149, 167);
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{doc}");

        var organization = page.Locator("#legend .legend-item[data-label='ORGANIZATION']");
        await Assertions.Expect(organization).ToContainTextAsync("2");
        await Assertions.Expect(organization.Locator("kbd")).ToHaveTextAsync("o");
        await Assertions.Expect(page.Locator("#legend .legend-item[data-label='PERSON']")).ToContainTextAsync("1");
        await Assertions.Expect(page.Locator("#legend .legend-item[data-label='DATE']")).ToContainTextAsync("0");

        await organization.ClickAsync();
        await Assertions.Expect(organization).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.Locator("#document-text .span-tag")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Span("Ilse Brandvold")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#annotation-list section")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#annotation-count")).ToHaveTextAsync("2");
        // The counts stay those of every label, so the others can be chosen next.
        await Assertions.Expect(page.Locator("#legend .legend-item[data-label='PERSON']")).ToContainTextAsync("1");

        await organization.ClickAsync();
        await Assertions.Expect(organization).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(page.Locator("#document-text .span-tag")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Span("Ilse Brandvold")).ToHaveCountAsync(1);

        // A label group of the side panel folds, and stays folded when the list redraws.
        var group = page.Locator("#annotation-list section[data-label='ORGANIZATION'] details");
        await group.Locator("summary").ClickAsync();
        await Assertions.Expect(group).Not.ToHaveAttributeAsync("open", "");
        await SpanAsync(lead, doc, "entity", "ORGANIZATION", 95, 106); // coast guard, arriving live
        await Assertions.Expect(page.Locator("#legend .legend-item[data-label='ORGANIZATION']")).ToContainTextAsync("3");
        await Assertions.Expect(page.Locator("#annotation-list section[data-label='ORGANIZATION'] details")).Not.ToHaveAttributeAsync("open", "");
    }

    [Fact]
    public async Task In_the_everyone_view_each_annotators_spans_are_told_apart_and_a_disagreement_shows_as_one()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var ben = await browser.PersonAsync("ben");
        var (_, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator"), (ben, "annotator")], ("who.txt", Article));
        var doc = docs[0];
        var anaPerson = await SpanAsync(ana, doc, "entity", "PERSON", 8, 22);
        var benPerson = await SpanAsync(ben, doc, "entity", "PERSON", 8, 22);     // the same span: they agree
        var anaOrg = await SpanAsync(ana, doc, "entity", "ORGANIZATION", 26, 44);
        var benPlace = await SpanAsync(ben, doc, "entity", "LOCATION", 26, 44);   // the same text, another label
        var anaOrg2 = await SpanAsync(ana, doc, "entity", "ORGANIZATION", 149, 167);
        var benOrg2 = await SpanAsync(ben, doc, "entity", "ORGANIZATION", 159, 167); // other boundaries
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{doc}");

        // Agreement: one tag names both annotators' spans, with both people's initials.
        var agreed = page.Locator($"#document-text .span-tag[data-ids~='{anaPerson}']");
        await Assertions.Expect(agreed).ToHaveAttributeAsync("data-ids", new System.Text.RegularExpressions.Regex(benPerson));
        var words = (await agreed.GetAttributeAsync("data-tag"))!;
        Assert.Matches(@"^PERSON · \S+ \S+$", words);
        Assert.False(await agreed.EvaluateAsync<bool>("t => t.classList.contains('is-disagreement')"));

        // Disagreements: each side's tag is flagged and names its author; the text is hatched, not a blend of colours.
        foreach (var id in new[] { anaOrg, benPlace, anaOrg2, benOrg2 })
        {
            var tag = page.Locator($"#document-text .span-tag[data-ids~='{id}']");
            await Assertions.Expect(tag).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("is-disagreement"));
            Assert.StartsWith("≠ ", await tag.GetAttributeAsync("data-tag"));
            Assert.Contains("Annotators disagree here", await tag.GetAttributeAsync("title"));
        }
        var hatched = page.Locator("#document-text .span-piece.is-disagreement");
        await Assertions.Expect(hatched.First).ToBeVisibleAsync();
        Assert.Equal("rgba(0, 0, 0, 0)", await hatched.First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Contains("gradient", await hatched.First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundImage"));
        var problems = await page.AxeProblemsAsync();
        Assert.True(problems.Length == 0, string.Join("; ", problems));

        // The annotator filter stays: one person's work alone has no initials and nothing to disagree with.
        var anaOption = await page.Locator("#annotator-filter option").Filter(new() { HasTextString = "ana" }).GetAttributeAsync("value");
        await page.Locator("#annotator-filter").SelectOptionAsync(anaOption!);
        await Assertions.Expect(page.Locator("#document-text .span-tag")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#document-text .span-piece.is-disagreement")).ToHaveCountAsync(0);
        Assert.Equal(["PERSON", "ORG.", "ORG."], await page.Locator("#document-text .span-tag").EvaluateAllAsync<string[]>("ts => ts.map(t => t.dataset.tag)"));
    }

    [Fact]
    public async Task Links_are_drawn_as_arcs_between_claims_and_a_link_to_another_article_as_a_badge_that_opens_the_compare_view()
    {
        var lead = await browser.PersonAsync("lead");
        var ana = await browser.PersonAsync("ana");
        var (projectId, docs) = await EditorSession.ProjectAsync(lead, "open", [(ana, "annotator")],
            ("Ferry fire.txt", Article), ("Operator statement.txt", "Northline Shipping said the pump had been inspected a week before."));
        var first = await SpanAsync(lead, docs[0], "claim", "CLAIM", 91, 143);   // The coast guard said the fire started in a fuel pump
        var second = await SpanAsync(lead, docs[0], "claim", "CLAIM", 149, 178); // Northline Shipping denied it.
        var other = await SpanAsync(ana, docs[1], "claim", "CLAIM", 0, 66);
        var inside = await LinkAsync(lead, projectId, "contradicts", second, first);
        var across = await LinkAsync(ana, projectId, "supports", other, first);
        var page = await browser.SignedInPageAsync(lead);
        await page.OpenLiveAsync($"/documents/{docs[0]}");

        // The link inside the article: a marker on each claim and an arc from one tag to the other.
        var arc = page.Locator($"#document-text svg.link-arcs g[data-relation='{inside}']");
        await Assertions.Expect(arc).ToHaveCountAsync(1);
        Assert.StartsWith("M ", await arc.Locator("path.arc").GetAttributeAsync("d"));
        await Assertions.Expect(page.Locator($"#document-text .span-link-mark[data-relation='{inside}']")).ToHaveCountAsync(2);
        var marks = await page.Locator($"#document-text .span-link-mark[data-relation='{inside}']").EvaluateAllAsync<string[]>("ms => ms.map(m => m.dataset.tag)");
        Assert.Equal(["← contradicts", "→ contradicts"], marks);
        // The arc starts on top of the tag of the claim the link comes from and ends on the other's.
        var ends = await page.EvaluateAsync<JsonElement>($$"""
            () => {
              const box = e => e.getBoundingClientRect(), svg = box(document.querySelector('#document-text svg.link-arcs'));
              const path = document.querySelector("g[data-relation='{{inside}}'] path.arc");
              const length = path.getTotalLength(), a = path.getPointAtLength(0), b = path.getPointAtLength(length);
              const from = box(document.querySelector("#document-text .span-tag[data-ids~='{{second}}']"));
              const to = box(document.querySelector("#document-text .span-tag[data-ids~='{{first}}']"));
              return [a.x + svg.left - from.left, a.x + svg.left - from.right, a.y + svg.top - from.top, b.x + svg.left - to.left, b.x + svg.left - to.right, b.y + svg.top - to.top];
            }
            """);
        Assert.True(ends[0].GetDouble() >= 0 && ends[1].GetDouble() <= 0 && Math.Abs(ends[2].GetDouble()) < 1, $"arc start {ends}");
        Assert.True(ends[3].GetDouble() >= 0 && ends[4].GetDouble() <= 0 && Math.Abs(ends[5].GetDouble()) < 1, $"arc end {ends}");

        // The link to another article: a badge on the claim naming that article, opening the compare view.
        var badge = page.Locator($"#document-text a.span-link-badge[data-relation='{across}']");
        await Assertions.Expect(badge).ToHaveCountAsync(1);
        Assert.Contains("Operator statement", await badge.GetAttributeAsync("data-tag"));
        Assert.Contains("Operator statement", await badge.GetAttributeAsync("aria-label"));

        // The links list says who made each link and follows the annotator filter.
        await Assertions.Expect(page.Locator($"#link-list [data-relation='{inside}']")).ToContainTextAsync("linked by you");
        await Assertions.Expect(page.Locator($"#link-list [data-relation='{across}']")).ToContainTextAsync("linked by ana");
        var problems = await page.AxeProblemsAsync();
        Assert.True(problems.Length == 0, string.Join("; ", problems));
        var anaOption = await page.Locator("#annotator-filter option").Filter(new() { HasTextString = "ana" }).GetAttributeAsync("value");
        await page.Locator("#annotator-filter").SelectOptionAsync(anaOption!);
        await Assertions.Expect(page.Locator("#link-list .link-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#link-list [data-relation='{across}']")).ToHaveCountAsync(1);
        await page.Locator("#annotator-filter").SelectOptionAsync("");
        await Assertions.Expect(page.Locator("#link-list .link-item")).ToHaveCountAsync(2);

        await page.Locator($"#document-text a.span-link-badge[data-relation='{across}']").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"/projects/{projectId}/compare\\?left={docs[0]}&right={docs[1]}"));
        // The compare view draws the claims with the same tags.
        await Assertions.Expect(page.Locator("#text-right .span-tag")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#text-left .span-tag")).ToHaveCountAsync(2);
    }

    private static async Task<string> SpanAsync(SignedInClient who, long document, string layer, string label, int start, int end) =>
        (await (await who.Http.PostAsJsonAsync($"/api/documents/{document}/annotations", new { layer, label, start, end }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

    private static async Task<string> LinkAsync(SignedInClient who, long project, string type, string from, string to) =>
        (await (await who.Http.PostAsJsonAsync($"/api/projects/{project}/relations", new { type, from, to }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
}
