namespace Annotate.Web.Features.Imports;

/// <summary>A .txt file is one article; its title is its first line when that reads like one, else the file's name.</summary>
public static class PlainTextReader
{
    public static void Parse(string fileName, string text, List<ParsedArticle> articles, List<ImportError> errors)
    {
        if (CheckText(fileName, null, text, errors) is false) return;
        var title = ArticleFields.FitTitle(TitleOf(fileName, text));
        // The text was checked; a title taken from the file name was not.
        if (ArticleFields.FieldProblem("title", title, null) is { } problem) { errors.Add(new(fileName, null, problem + " (it comes from the file name: rename the file)")); return; }
        articles.Add(new(fileName, null, title, null, null, text, "{}"));
    }

    /// <summary>
    /// The first line is the title when it reads like one: short, starting with a capital or digit, not ending a
    /// sentence, and followed by more text. Otherwise the file name (without extension) names the article.
    /// </summary>
    public static string TitleOf(string fileName, string text)
    {
        var newline = text.IndexOf('\n');
        if (newline > 0)
        {
            var first = text[..newline].Trim();
            var rest = text[(newline + 1)..];
            if (first.Length is > 0 and <= 150
                && (char.IsUpper(first[0]) || char.IsDigit(first[0]))
                && !".,;:!?…".Contains(first[^1])
                && !string.IsNullOrWhiteSpace(rest))
                return first;
        }
        return Path.GetFileNameWithoutExtension(fileName);
    }

    private static bool CheckText(string fileName, int? line, string text, List<ImportError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new(fileName, line, "has an empty text: there is nothing to annotate"));
            return false;
        }
        if (CodePoints.FindInvalidCharacter(text) is { } problem)
        {
            errors.Add(new(fileName, line, $"contains {problem}"));
            return false;
        }
        return true;
    }
}
