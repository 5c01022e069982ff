namespace Annotate.Web.Infrastructure;

public static class Clock
{
    /// <summary>
    /// Now, to the microsecond: what PostgreSQL stores. A value logged before it is saved then reads back
    /// identical, so the live event and a later API read of the same row agree to the character.
    /// </summary>
    public static DateTimeOffset Now => Truncate(DateTimeOffset.UtcNow);

    /// <summary>A moment to the microsecond (what PostgreSQL keeps of it).</summary>
    public static DateTimeOffset Truncate(DateTimeOffset moment) => moment.AddTicks(-(moment.Ticks % TimeSpan.TicksPerMicrosecond));
}
