namespace Annotate.Web.Features.Agreement;

/// <summary>
/// When the nightly reports run: <c>Agreement__NightlyCron</c>, a standard 5-field cron (minute hour day month weekday),
/// in the time zone <c>Agreement__NightlyTimeZone</c> (an IANA name; UTC when unset).
/// </summary>
public sealed record NightlySchedule(string Cron, TimeZoneInfo TimeZone)
{
    public const string DefaultCron = "0 3 * * *";

    /// <summary>Reads the settings; a value that cannot be used stops the app at start with what to write instead.</summary>
    public static NightlySchedule From(IConfiguration configuration)
    {
        var cron = ParseCron(configuration["Agreement:NightlyCron"]);
        var zoneName = configuration["Agreement:NightlyTimeZone"] is { Length: > 0 } zone ? zone.Trim() : "UTC";
        TimeZoneInfo timeZone;
        try { timeZone = TimeZoneInfo.FindSystemTimeZoneById(zoneName); }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException(
                $"Agreement__NightlyTimeZone is '{zoneName}', which is not a time zone of this machine: use an IANA name such as 'Europe/Berlin', or 'UTC'.", error);
        }
        return new NightlySchedule(cron, timeZone);
    }

    /// <summary>
    /// Takes a 5-field cron. Earlier versions ran on Quartz.NET, whose cron has seconds first, an optional year last and
    /// '?' for "no particular day"; such a value (what existing installs have) is refused, with its 5-field equivalent,
    /// rather than read in a way its author did not mean.
    /// </summary>
    public static string ParseCron(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return DefaultCron;
        var fields = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 5 && !value.Contains('?')) return string.Join(' ', fields);
        if (fields.Length is < 5 or > 7)
            throw new InvalidOperationException(
                $"Agreement__NightlyCron is '{value}', which has {fields.Length} fields; it takes a standard 5-field cron (minute hour day month weekday), e.g. '{DefaultCron}'.");
        var standard = fields.Length == 5 ? fields : fields[1..6]; // drop Quartz's seconds (first) and year (seventh)
        var equivalent = string.Join(' ', standard.Select(f => f == "?" ? "*" : f));
        throw new InvalidOperationException(
            $"Agreement__NightlyCron is '{value}', a Quartz-style cron (with seconds or '?'); it now takes a standard 5-field cron (minute hour day month weekday): write '{equivalent}'.");
    }
}
