using Annotate.Tests.Agreement;

namespace Annotate.IntegrationTests.Agreement;

public class AgreementCalculatorTests(AnnotateFactory factory) : IClassFixture<AnnotateFactory>
{
    // The published worked examples the unit tests of the measures use (Krippendorff 2011, Fleiss 1971), sent over HTTP.
    private static readonly object?[][] Krippendorff2011 = PublishedData.Krippendorff2011;

    private static async Task<JsonElement> OkJson(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<string> ProblemDetail(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("detail").GetString()!;
    }

    [Theory]
    // Published values of Krippendorff (2011) for the same data at each level.
    [InlineData("nominal", 0.743)]
    [InlineData("ordinal", 0.815)]
    [InlineData("interval", 0.849)]
    [InlineData("ratio", 0.797)]
    public async Task Alpha_matches_Krippendorff_2011_at_each_level(string level, double published)
    {
        var user = await factory.SignUpAsync();
        var result = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement", new { level, data = Krippendorff2011 }));

        Assert.Equal(published, result.GetProperty("alpha").GetDouble(), 0.0005);
        Assert.Equal(11, result.GetProperty("pairableUnits").GetInt32());
        Assert.Equal(4, result.GetProperty("coders").GetInt32());
        Assert.True(result.GetProperty("observedDisagreement").GetDouble() > 0);
        Assert.True(result.GetProperty("expectedDisagreement").GetDouble() > 0);
        // A_o = .800 (DKPro Agreement's Krippendorff2004Test on the same data).
        Assert.Equal(0.800, result.GetProperty("percentAgreement").GetDouble(), 0.0005);
        // Four coders with missing values and units of 1 to 4 values: none of the fixed-design coefficients applies.
        Assert.False(result.TryGetProperty("cohenKappa", out _));
        Assert.False(result.TryGetProperty("scottPi", out _));
        Assert.False(result.TryGetProperty("fleissKappa", out _));
        Assert.False(result.TryGetProperty("note", out _));
    }

    [Fact]
    public async Task Two_complete_coders_also_get_kappa_pi_and_fleiss()
    {
        // Artstein & Poesio (2008) p. 568, strings as categories: A_o = .88, π = .7995, κ = .8013, α = .800 (± .001).
        var first = new List<string>();
        var second = new List<string>();
        void Add(int count, string a, string b) { first.AddRange(Enumerable.Repeat(a, count)); second.AddRange(Enumerable.Repeat(b, count)); }
        Add(46, "STAT", "STAT"); Add(6, "IReq", "STAT"); Add(32, "IReq", "IReq"); Add(6, "IReq", "Chck"); Add(10, "Chck", "Chck");
        var user = await factory.SignUpAsync();
        var result = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement", new { level = "nominal", data = new[] { first, second } }));

        Assert.Equal(0.800, result.GetProperty("alpha").GetDouble(), 0.001);
        Assert.Equal(0.88, result.GetProperty("percentAgreement").GetDouble(), 0.0005);
        Assert.Equal(0.8013, result.GetProperty("cohenKappa").GetDouble(), 0.00005);
        Assert.Equal(0.7995, result.GetProperty("scottPi").GetDouble(), 0.00005);
        // Two ratings per unit: Fleiss' kappa applies and, with pooled proportions, equals Scott's pi.
        Assert.Equal(result.GetProperty("scottPi").GetDouble(), result.GetProperty("fleissKappa").GetDouble(), 1e-9);
    }

    [Fact]
    public async Task Fleiss_kappa_for_a_fixed_number_of_raters()
    {
        // Fleiss (1971) table 1: 30 patients × 6 diagnoses (the raters differ between patients): κ = .430.
        var patients = PublishedData.FleissDiagnoses;
        var rows = Enumerable.Range(0, 6).Select(r => patients.Select(p => p[r]).ToArray()).ToArray();
        var user = await factory.SignUpAsync();
        var result = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement", new { level = "nominal", data = rows }));

        Assert.Equal(0.430, result.GetProperty("fleissKappa").GetDouble(), 0.0005);
        Assert.False(result.TryGetProperty("cohenKappa", out _));
    }

    [Fact]
    public async Task Undefined_figures_are_null_with_a_note()
    {
        var user = await factory.SignUpAsync();
        var result = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement", new { level = "interval", data = new[] { new int?[] { 1, null }, [null, 2] } }));

        Assert.Equal(JsonValueKind.Null, result.GetProperty("alpha").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("percentAgreement").ValueKind);
        Assert.Equal(0, result.GetProperty("pairableUnits").GetInt32());
        Assert.Contains("two or more coders", result.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Unitizing_alpha_returns_overall_and_per_category_figures()
    {
        // Krippendorff (2004), Quality & Quantity 38, figure 2: c α = .7286, k α = 1, overall .859 (pooled disagreements).
        var units = new object[]
        {
            new { rater = 0, start = 225, length = 70, category = "c" }, new { rater = 0, start = 370, length = 30, category = "c" },
            new { rater = 1, start = 220, length = 80, category = "c" }, new { rater = 1, start = 355, length = 20, category = "c" },
            new { rater = 1, start = 400, length = 20, category = "c" },
            new { rater = 0, start = 180, length = 60, category = "k" }, new { rater = 0, start = 300, length = 50, category = "k" },
            new { rater = 1, start = 180, length = 60, category = "k" }, new { rater = 1, start = 300, length = 50, category = "k" },
        };
        var user = await factory.SignUpAsync();
        var result = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement/unitizing", new { begin = 150, length = 300, raters = 2, units }));

        Assert.Equal(0.859, result.GetProperty("alpha").GetDouble(), 0.0005);
        var c = result.GetProperty("categories").GetProperty("c");
        Assert.Equal(0.7286, c.GetProperty("alpha").GetDouble(), 0.00005);
        Assert.Equal(0.0144, c.GetProperty("observed").GetDouble(), 0.00005);
        Assert.Equal(0.0532, c.GetProperty("expected").GetDouble(), 0.00005);
        var k = result.GetProperty("categories").GetProperty("k");
        Assert.Equal(1.0, k.GetProperty("alpha").GetDouble());
        Assert.Equal(0.0, k.GetProperty("observed").GetDouble());
        Assert.Equal(0.0490, k.GetProperty("expected").GetDouble(), 0.00005);
        Assert.Equal(2, result.GetProperty("raters").GetInt32());
    }

    [Fact]
    public async Task Span_agreement_returns_exact_and_overlap_figures_micro_and_per_label()
    {
        // seqeval README example: exact match with labels f1 = .50, MISC 0, PER 1; overlap matching accepts MISC too.
        var user = await factory.SignUpAsync();
        var result = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement/spans", new
        {
            a = new[] { new { start = 3, end = 6, label = "MISC" }, new { start = 7, end = 9, label = "PER" } },
            b = new[] { new { start = 2, end = 6, label = "MISC" }, new { start = 7, end = 9, label = "PER" } },
        }));

        var exact = result.GetProperty("exact");
        Assert.Equal(0.5, exact.GetProperty("withLabel").GetProperty("f1").GetDouble());
        Assert.Equal(0.5, exact.GetProperty("withLabel").GetProperty("precision").GetDouble());
        Assert.Equal(0.5, exact.GetProperty("withLabel").GetProperty("recall").GetDouble());
        Assert.Equal(1, exact.GetProperty("ignoringLabel").GetProperty("matched").GetInt32());
        Assert.Equal(2, exact.GetProperty("ignoringLabel").GetProperty("inA").GetInt32());
        Assert.Equal(2, exact.GetProperty("ignoringLabel").GetProperty("inB").GetInt32());
        Assert.Equal(1.0, result.GetProperty("overlap").GetProperty("withLabel").GetProperty("f1").GetDouble());
        Assert.Equal(1.0, result.GetProperty("overlap").GetProperty("ignoringLabel").GetProperty("f1").GetDouble());
        var perLabel = result.GetProperty("perLabel");
        Assert.Equal(0.0, perLabel.GetProperty("MISC").GetProperty("exact").GetProperty("f1").GetDouble());
        Assert.Equal(1.0, perLabel.GetProperty("MISC").GetProperty("overlap").GetProperty("f1").GetDouble());
        Assert.Equal(1.0, perLabel.GetProperty("PER").GetProperty("exact").GetProperty("f1").GetDouble());
        Assert.False(result.TryGetProperty("note", out _));

        var empty = await OkJson(await user.Http.PostAsJsonAsync("/api/agreement/spans", new { a = Array.Empty<object>(), b = Array.Empty<object>() }));
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("exact").GetProperty("withLabel").GetProperty("f1").ValueKind);
        Assert.Contains("Neither annotator", empty.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Bad_reliability_data_gets_400_with_a_helpful_detail()
    {
        var http = (await factory.SignUpAsync()).Http;
        Task<HttpResponseMessage> Post(object body) => http.PostAsJsonAsync("/api/agreement", body);

        Assert.Contains("Row 2 has 2 values but row 1 has 3",
            await ProblemDetail(await Post(new { level = "nominal", data = new[] { new[] { 1, 2, 3 }, [1, 2] } })));
        Assert.Contains("Unknown level 'cardinal'; use nominal, ordinal, interval or ratio",
            await ProblemDetail(await Post(new { level = "cardinal", data = new[] { new[] { 1 }, [1] } })));
        Assert.Contains("Give level", await ProblemDetail(await Post(new { data = new[] { new[] { 1 }, [1] } })));
        Assert.Contains("must be numbers",
            await ProblemDetail(await Post(new { level = "interval", data = new[] { new object[] { 1, "high" }, [1, 2] } })));
        Assert.Contains("must be numbers",
            await ProblemDetail(await Post(new { level = "ratio", data = new[] { new object[] { "3", 4 }, [3, 4] } })));
        Assert.Contains("at least two coders", await ProblemDetail(await Post(new { level = "nominal", data = new[] { new[] { 1, 2 } } })));
        Assert.Contains("row 1, column 2 is true",
            await ProblemDetail(await Post(new { level = "nominal", data = new[] { new object[] { 1, true }, [1, 2] } })));
        Assert.Contains("Give data", await ProblemDetail(await Post(new { level = "nominal" })));
        Assert.Contains("Row 2 of data is not an array",
            await ProblemDetail(await Post(new { level = "nominal", data = new object[] { new[] { 1 }, 5 } })));

        var huge = Enumerable.Repeat(1, 500_001).ToArray();
        Assert.Contains("1,000,002 cells; the calculator accepts at most 1,000,000",
            await ProblemDetail(await Post(new { level = "nominal", data = new[] { huge, huge } })));

        var malformed = await http.PostAsync("/api/agreement", new StringContent("{\"level\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bad_unitizing_input_gets_400_with_a_helpful_detail()
    {
        var http = (await factory.SignUpAsync()).Http;
        Task<HttpResponseMessage> Post(object body) => http.PostAsJsonAsync("/api/agreement/unitizing", body);

        Assert.Contains("Rater 0 has overlapping 'X' units [10, 20) and [15, 25)", await ProblemDetail(await Post(new
        {
            length = 100, raters = 2,
            units = new[] { new { rater = 0, start = 10, length = 10, category = "X" }, new { rater = 0, start = 15, length = 10, category = "X" } },
        })));
        Assert.Contains("length must be at least 1", await ProblemDetail(await Post(new { length = -5, raters = 2, units = Array.Empty<object>() })));
        Assert.Contains("Unit 1 has length -3", await ProblemDetail(await Post(new
        {
            length = 100, raters = 2, units = new[] { new { rater = 1, start = 10, length = -3, category = "X" } },
        })));
        Assert.Contains("outside the continuum [0, 100)", await ProblemDetail(await Post(new
        {
            length = 100, raters = 2, units = new[] { new { rater = 1, start = 95, length = 10, category = "X" } },
        })));
        Assert.Contains("raters are numbered 0 to 1", await ProblemDetail(await Post(new
        {
            length = 100, raters = 2, units = new[] { new { rater = 2, start = 0, length = 10, category = "X" } },
        })));
        Assert.Contains("Unit 1 has no category", await ProblemDetail(await Post(new
        {
            length = 100, raters = 2, units = new[] { new { rater = 0, start = 0, length = 10 } },
        })));
        Assert.Contains("at least two raters", await ProblemDetail(await Post(new { length = 100, raters = 1 })));
        Assert.Contains("Give length", await ProblemDetail(await Post(new { raters = 2 })));
        Assert.Contains("at most 1,000 raters", await ProblemDetail(await Post(new { length = 100, raters = 5000 })));
    }

    [Fact]
    public async Task Bad_spans_get_400_with_a_helpful_detail()
    {
        var http = (await factory.SignUpAsync()).Http;
        Task<HttpResponseMessage> Post(object body) => http.PostAsJsonAsync("/api/agreement/spans", body);
        var none = Array.Empty<object>();

        Assert.Contains("Span 1 of a is [5, 5): a span needs start < end",
            await ProblemDetail(await Post(new { a = new[] { new { start = 5, end = 5, label = "X" } }, b = none })));
        Assert.Contains("Span 1 of b is [9, 4)",
            await ProblemDetail(await Post(new { a = none, b = new[] { new { start = 9, end = 4, label = "X" } } })));
        Assert.Contains("Span 1 of a has no label",
            await ProblemDetail(await Post(new { a = new[] { new { start = 0, end = 4 } }, b = none })));
        Assert.Contains("Give b", await ProblemDetail(await Post(new { a = none })));
    }

    [Fact]
    public async Task The_calculator_needs_a_signed_in_caller()
    {
        var anonymous = factory.CreateClient();
        foreach (var path in new[] { "/api/agreement", "/api/agreement/unitizing", "/api/agreement/spans" })
        {
            var response = await anonymous.PostAsJsonAsync(path, new { level = "nominal", data = Krippendorff2011 });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
