using System.Text.RegularExpressions;

namespace Annotate.Web.Features.Projects;

/// <summary>
/// A change to some of a project's settings, as PATCH /api/projects/{id} and the settings form send it: a member
/// left null is left as it is. Enumerations arrive as text so a wrong word is named with the words that are right.
/// </summary>
public record ProjectSettingsPatch(
    string? Name = null,
    string? Description = null,
    string? Visibility = null,
    bool? SnapToWords = null,
    string? Assignment = null,
    int? AnnotatorsPerDocument = null,
    int? ReleaseAfterMinutes = null,
    bool? FinishedLocks = null,
    bool? AnonymousCuration = null,
    string? Language = null);

/// <summary>
/// The rules of a project's settings, checked all at once so one answer names every bad field and nothing is
/// changed unless all are good.
/// </summary>
public static partial class ProjectSettings
{
    public const int DefaultAnnotatorsPerDocument = 2, MaxAnnotatorsPerDocument = 50;
    public const int DefaultReleaseAfterMinutes = 24 * 60;
    public const string DefaultLanguage = "en";
    public const int MaxLanguageLength = 35;

    /// <summary>Checks every field of the patch and applies it to the project only when all are valid.</summary>
    /// <returns>Whether the visibility or the assignment mode changed (who may see what changed).</returns>
    public static bool Apply(Project project, ProjectSettingsPatch patch, IDictionary<string, string[]>? earlierErrors = null)
    {
        var errors = new Dictionary<string, string[]>(earlierErrors ?? new Dictionary<string, string[]>());
        void Fail(string field, string message) => errors[field] = [message];

        var name = patch.Name?.Trim();
        if (patch.Name is not null && name!.Length == 0) Fail("name", "A project needs a name.");
        else if (!Limits.ProjectName.Allows(name)) Fail("name", Limits.ProjectName.Message);
        if (!Limits.ProjectDescription.Allows(patch.Description)) Fail("description", Limits.ProjectDescription.Message);
        Visibility? visibility = null;
        if (patch.Visibility is not null)
        {
            if (TryParse<Visibility>(patch.Visibility, out var parsed)) visibility = parsed;
            else Fail("visibility", "Visibility is 'open' (annotators see each other's work) or 'blind' (each sees only their own).");
        }
        AssignmentMode? assignment = null;
        if (patch.Assignment is not null)
        {
            if (TryParse<AssignmentMode>(patch.Assignment, out var parsed)) assignment = parsed;
            else Fail("assignment", "Assignment is 'free' (everyone opens every document), 'assigned' (only what a manager assigned) or 'dynamic' (handed out by Next document).");
        }
        if (patch.AnnotatorsPerDocument is < 1 or > MaxAnnotatorsPerDocument)
            Fail("annotatorsPerDocument", $"Annotators per document is a whole number from 1 to {MaxAnnotatorsPerDocument}.");
        if (patch.ReleaseAfterMinutes is < 1)
            Fail("releaseAfterMinutes", "Release after is a whole number of minutes, at least 1.");
        var language = patch.Language?.Trim();
        if (patch.Language is not null && (language!.Length > MaxLanguageLength || !LanguageTag().IsMatch(language)))
            Fail("language", "Language is a BCP-47 tag such as en, ar, de-CH or zh-Hant.");

        if (errors.Count > 0)
        {
            throw ProblemException.Invalid(
                "Nothing was saved. Fix " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
                errors);
        }

        var accessChanged = visibility is not null && visibility != project.Visibility
            || assignment is not null && assignment != project.Assignment
            // Reviewers' live subscriptions are named or anonymous by this setting (AnnotationHub.AnonymousGroup).
            || patch.AnonymousCuration is not null && patch.AnonymousCuration != project.AnonymousCuration;
        if (name is not null) project.Name = name;
        if (patch.Description is not null) project.Description = patch.Description.Trim();
        if (visibility is not null) project.Visibility = visibility.Value;
        if (patch.SnapToWords is not null) project.SnapToWords = patch.SnapToWords.Value;
        if (assignment is not null) project.Assignment = assignment.Value;
        if (patch.AnnotatorsPerDocument is not null) project.AnnotatorsPerDocument = patch.AnnotatorsPerDocument.Value;
        if (patch.ReleaseAfterMinutes is not null) project.ReleaseAfterMinutes = patch.ReleaseAfterMinutes.Value;
        if (patch.FinishedLocks is not null) project.FinishedLocks = patch.FinishedLocks.Value;
        if (patch.AnonymousCuration is not null) project.AnonymousCuration = patch.AnonymousCuration.Value;
        if (language is not null) project.Language = language;
        return accessChanged;
    }

    /// <summary>The word as the API spells it ('dynamic', 'in_progress'), or the C# name the forms send ('Dynamic').</summary>
    private static bool TryParse<TEnum>(string text, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        var word = text.Trim().Replace("_", "");
        // Letters only: Enum.TryParse would also take "2" or "free,dynamic".
        return word.Length > 0 && word.All(char.IsAsciiLetter) && Enum.TryParse(word, ignoreCase: true, out value);
    }

    /// <summary>A BCP-47 tag's shape: a 2-3 letter language, then subtags of 1-8 letters or digits (script, region, variants).</summary>
    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex LanguageTag();
}
