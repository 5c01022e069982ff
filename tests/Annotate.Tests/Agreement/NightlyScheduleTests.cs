using Annotate.Web.Features.Agreement;
using Microsoft.Extensions.Configuration;

namespace Annotate.Tests.Agreement;

/// <summary>Agreement__NightlyCron takes standard 5-field cron; the Quartz-style values of earlier installs are refused with their fix.</summary>
public class NightlyScheduleTests
{
    private static NightlySchedule From(string? cron, string? zone = null) =>
        NightlySchedule.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agreement:NightlyCron"] = cron, ["Agreement:NightlyTimeZone"] = zone,
        }).Build());

    [Fact]
    public void Unset_means_three_in_the_morning_utc()
    {
        var schedule = From(null);
        Assert.Equal("0 3 * * *", schedule.Cron);
        Assert.Equal(TimeZoneInfo.Utc.Id, schedule.TimeZone.Id);
    }

    [Theory]
    [InlineData("45 2 * * *", "45 2 * * *")]
    [InlineData("  30   1 * * 1-5 ", "30 1 * * 1-5")]
    public void A_five_field_cron_is_taken(string value, string expected) => Assert.Equal(expected, From(value).Cron);

    [Theory]
    [InlineData("0 0 3 * * ?", "0 3 * * *")]
    [InlineData("0 45 2 ? * MON-FRI", "45 2 * * MON-FRI")]
    [InlineData("0 15 4 * * ? 2027", "15 4 * * *")]
    [InlineData("0 3 ? * *", "0 3 * * *")]
    public void A_quartz_style_cron_is_refused_with_its_five_field_equivalent(string value, string equivalent)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From(value));
        Assert.Contains("Agreement__NightlyCron", refused.Message);
        Assert.Contains($"'{equivalent}'", refused.Message);
    }

    [Fact]
    public void A_cron_of_the_wrong_length_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From("0 3 *"));
        Assert.Contains("5-field", refused.Message);
    }

    [Fact]
    public void The_time_zone_is_read_and_an_unknown_one_refused()
    {
        Assert.Equal("Europe/Berlin", From("0 3 * * *", "Europe/Berlin").TimeZone.Id);
        var refused = Assert.Throws<InvalidOperationException>(() => From("0 3 * * *", "Mars/Olympus"));
        Assert.Contains("Agreement__NightlyTimeZone", refused.Message);
    }
}
