namespace Annotate.IntegrationTests.Jobs;

/// <summary>An install that still carries a Quartz-style Agreement__NightlyCron does not start, and says what to write.</summary>
public class NightlyCronTests
{
    [Fact]
    public async Task The_app_refuses_to_start_with_a_quartz_style_nightly_cron_and_names_the_five_field_one()
    {
        await using var app = new ConfiguredFactory([new("Agreement:NightlyCron", "0 30 2 * * ?")]);
        var refused = Record.Exception(() => app.Services);
        Assert.NotNull(refused);
        var messages = new List<string>();
        for (var e = refused; e is not null; e = e.InnerException) messages.Add(e.Message);
        Assert.Contains(messages, m => m.Contains("Agreement__NightlyCron") && m.Contains("'30 2 * * *'"));
    }
}
