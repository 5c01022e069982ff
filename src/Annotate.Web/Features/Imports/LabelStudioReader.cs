using System.Text.Json;

namespace Annotate.Web.Features.Imports;

/// <summary>Label Studio's task .json: an array of tasks (or one), each article in a task's "data".</summary>
public static class LabelStudioReader
{
    public static void Parse(string fileName, string text, List<ParsedArticle> articles, List<ImportError> errors)
    {
        JsonDocument json;
        try { json = JsonDocument.Parse(text); }
        catch (JsonException error)
        {
            errors.Add(new(fileName, (int?)(error.LineNumber + 1), $"is not valid JSON ({ImportFormats.FirstSentence(error.Message)})"));
            return;
        }
        using (json)
        {
            var root = json.RootElement;
            IEnumerable<JsonElement> tasks = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                JsonValueKind.Object => [root],
                _ => [],
            };
            var number = 0;
            foreach (var task in tasks)
            {
                number++;
                if (task.ValueKind != JsonValueKind.Object || !task.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new(fileName, null, $"task {number} has no \"data\" object; Label Studio tasks look like {{\"data\": {{\"text\": \"...\"}}}}"));
                    continue;
                }
                ArticleFields.ReadArticle(fileName, null, $"task {number} ", data, articles, errors);
            }
            if (number == 0) errors.Add(new(fileName, null, "has no tasks: expected a JSON array of Label Studio tasks"));
        }
    }
}
