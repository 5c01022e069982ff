using System.Text.Json;
using System.Text.RegularExpressions;

namespace Annotate.Web.Features.Documents;

/// <summary>
/// The language an article is written in (a BCP 47 tag such as <c>en</c>, <c>ar</c>, <c>pt-BR</c>) and the way its
/// text runs, for the editor's <c>lang</c> and <c>dir</c>: from <c>lang</c> in the article's meta, else the project's
/// default. Browsers pick fonts, hyphenation, word breaks and screen-reader voices by it, and right-to-left text is
/// laid out and selected from the right only when the page says it is right to left.
/// </summary>
public static partial class ArticleLanguage
{
    public const string Fallback = "en";

    /// <summary>Languages written right to left (primary subtags), and scripts that are, for tags like <c>az-Arab</c>.</summary>
    private static readonly HashSet<string> RightToLeftLanguages =
        ["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "nqo", "prs", "ps", "sd", "syr", "ug", "ur", "yi"];
    private static readonly HashSet<string> RightToLeftScripts = ["arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"];

    /// <summary>A well-formed language tag (language, then optional script, region and variants), at most 35 characters.</summary>
    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex TagPattern();

    /// <summary>The project's default language for its articles (a project setting).</summary>
    public static string DefaultOf(Projects.Project project) => project.Language;

    public static bool IsTag(string? tag) => tag is { Length: <= 35 } && TagPattern().IsMatch(tag);

    /// <summary>The article's language: <c>lang</c> from its meta when that is a language tag, else <paramref name="projectDefault"/>, else English.</summary>
    public static string Of(string? metaJson, string? projectDefault)
    {
        var fromMeta = LangInMeta(metaJson);
        if (IsTag(fromMeta)) return fromMeta!;
        return IsTag(projectDefault) ? projectDefault! : Fallback;
    }

    /// <summary>"rtl" for a language written right to left (by its script subtag when it has one), else "ltr".</summary>
    public static string DirectionOf(string tag)
    {
        var parts = tag.ToLowerInvariant().Split('-');
        var script = parts.Skip(1).FirstOrDefault(p => p.Length == 4);
        if (script is not null) return RightToLeftScripts.Contains(script) ? "rtl" : "ltr";
        return RightToLeftLanguages.Contains(parts[0]) ? "rtl" : "ltr";
    }

    private static string? LangInMeta(string? metaJson)
    {
        if (string.IsNullOrWhiteSpace(metaJson)) return null;
        try
        {
            using var meta = JsonDocument.Parse(metaJson);
            return meta.RootElement.ValueKind == JsonValueKind.Object
                   && meta.RootElement.TryGetProperty("lang", out var lang) && lang.ValueKind == JsonValueKind.String
                ? lang.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
