using System.Text.Json;
using Annotate.Web.Infrastructure;
using static Annotate.Tests.Exports.ExportFixture;

namespace Annotate.Tests.Exports;

/// <summary>
/// The shape of Label Studio's "Task format" and "How Label Studio saves results in annotations" pages: tasks with
/// "id", "data" and "annotations"; each annotation a "result" list of text regions ("labels") and relations.
/// </summary>
public class LabelStudioTests
{
    private const string Text = "Rebels 🇸🇾 entered Aleppo. The army said 13 villages fell. Monitors said 50.";

    [Fact]
    public async Task Output_is_one_json_array_of_tasks_in_label_studio_shape()
    {
        var aleppo = Span(Text, "Aleppo", "LOCATION");
        var army = Span(Text, "The army said 13 villages fell.", "CLAIM", "claim");
        var monitors = Span(Text, "Monitors said 50.", "CLAIM", "claim");
        var bosClaim = Span(Text, "The army said 13 villages fell.", "CLAIM", "claim", annotator: "Bo");
        var other = Span("Elsewhere.", "Elsewhere.", "CLAIM", "claim");
        var documents = new[]
        {
            Document(5, "Five", Text, [aleppo, army, monitors, bosClaim],
            [
                Relation("CONTRADICTS", army, 5, monitors, 5, note: "13 vs 50"),
                Relation("SUPPORTS", bosClaim, 5, monitors, 5, annotator: "Bo"), // ends of two annotators: left out
                Relation("SUPPORTS", army, 5, other, 6),                          // into another task: left out
            ]),
            Document(6, "Six", "Elsewhere.", [other]),
            Document(7, "Seven", "Nothing marked.", []),
        };

        var output = await WriteTextAsync("label-studio-json", documents);
        Assert.StartsWith("[\n{", output, StringComparison.Ordinal);
        Assert.EndsWith("}\n]\n", output, StringComparison.Ordinal);
        var tasks = Json(output);
        Assert.Equal(JsonValueKind.Array, tasks.ValueKind);
        Assert.Equal(3, tasks.GetArrayLength());

        foreach (var task in tasks.EnumerateArray())
        {
            Assert.Equal(["id", "data", "annotations"], task.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Number, task.GetProperty("id").ValueKind);
            var data = task.GetProperty("data");
            Assert.Equal(JsonValueKind.String, data.GetProperty("text").ValueKind);
            Assert.Equal(JsonValueKind.String, data.GetProperty("title").ValueKind);
            foreach (var annotation in task.GetProperty("annotations").EnumerateArray())
            {
                var result = annotation.GetProperty("result").EnumerateArray().ToList();
                var regionIds = new HashSet<string>();
                foreach (var item in result.Where(r => r.GetProperty("type").GetString() == "labels"))
                {
                    Assert.Equal(["id", "from_name", "to_name", "type", "value"], item.EnumerateObject().Select(p => p.Name));
                    Assert.Matches("^[A-Za-z0-9_-]+$", item.GetProperty("id").GetString()!); // the documented id characters
                    regionIds.Add(item.GetProperty("id").GetString()!);
                    Assert.Equal("label", item.GetProperty("from_name").GetString());
                    Assert.Equal("text", item.GetProperty("to_name").GetString());
                    var value = item.GetProperty("value");
                    Assert.Equal(["start", "end", "text", "labels"], value.EnumerateObject().Select(p => p.Name));
                    Assert.Equal(value.GetProperty("text").GetString(),
                        CodePoints.Slice(data.GetProperty("text").GetString()!, value.GetProperty("start").GetInt32(), value.GetProperty("end").GetInt32()));
                    Assert.Equal(JsonValueKind.String, Assert.Single(value.GetProperty("labels").EnumerateArray()).ValueKind);
                }
                foreach (var item in result.Where(r => r.GetProperty("type").GetString() == "relation"))
                {
                    Assert.Contains(item.GetProperty("from_id").GetString()!, regionIds);
                    Assert.Contains(item.GetProperty("to_id").GetString()!, regionIds);
                    Assert.Equal("right", item.GetProperty("direction").GetString());
                    Assert.Equal(JsonValueKind.String, Assert.Single(item.GetProperty("labels").EnumerateArray()).ValueKind);
                }
                Assert.All(result, r => Assert.Contains(r.GetProperty("type").GetString(), new[] { "labels", "relation" }));
            }
        }

        // One annotation per annotator, in order of appearance; the relation goes with both of its regions.
        var first = tasks[0].GetProperty("annotations");
        Assert.Equal(2, first.GetArrayLength());
        var ana = first[0].GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(4, ana.Count);
        var relation = Assert.Single(ana, r => r.GetProperty("type").GetString() == "relation");
        Assert.Equal((army.Id.ToString(), monitors.Id.ToString(), "CONTRADICTS", "13 vs 50"),
            (relation.GetProperty("from_id").GetString(), relation.GetProperty("to_id").GetString(),
             relation.GetProperty("labels")[0].GetString(), relation.GetProperty("notes").GetString()));
        Assert.Equal(bosClaim.Id.ToString(), Assert.Single(first[1].GetProperty("result").EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(tasks[2].GetProperty("annotations").EnumerateArray());
    }

    [Fact]
    public async Task An_export_without_documents_is_an_empty_array()
    {
        var output = await WriteTextAsync("label-studio-json", []);
        Assert.Equal(0, Json(output).GetArrayLength());
    }
}
