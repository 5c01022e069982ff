using Annotate.Web.Features.Projects;
using Annotate.Web.Infrastructure;

namespace Annotate.Tests.Infrastructure;

/// <summary>A limit counts code points (as PostgreSQL's varchar does), not UTF-16 units, and says so in one message.</summary>
public class LimitsTests
{
    private static string Emoji(int count) => string.Concat(Enumerable.Repeat("🙂", count));

    [Fact]
    public void A_limit_counts_characters_not_utf16_units()
    {
        Assert.True(Limits.ProjectName.Allows(Emoji(200)));
        Assert.False(Limits.ProjectName.Allows(Emoji(201)));
        Assert.Equal("A project name has at most 200 characters.",
            Assert.Throws<ProblemException>(() => Limits.ProjectName.Require(Emoji(201))).Detail);
        Assert.Equal("Guidelines have at most 200,000 characters.", Limits.Guidelines.Message);
    }

    [Fact]
    public void A_label_name_has_at_most_64_characters_of_its_ascii_alphabet()
    {
        Assert.True(LabelDefinition.IsValidName(new string('A', Limits.LabelName.Max)));
        Assert.False(LabelDefinition.IsValidName(new string('A', Limits.LabelName.Max + 1)));
        Assert.False(LabelDefinition.IsValidName("🙂")); // the alphabet is ASCII, so no name is longer in UTF-16 than in characters
        Assert.Contains("1 to 64", LabelDefinition.NameRule);
    }

    [Fact]
    public void Fitting_a_text_cuts_at_a_character_and_marks_the_cut()
    {
        var fitted = Limits.JobError.Fit("x" + Emoji(5000));
        Assert.Equal(Limits.JobError.Max, CodePoints.Count(fitted));
        Assert.EndsWith("🙂…", fitted);
        Assert.Equal("short", Limits.JobError.Fit("short"));
    }
}
