namespace Annotate.Web.Infrastructure;

public static class Clock
{
    /// <summary>
    /// Now, to the microsecond: what PostgreSQL stores. A value logged before it is saved then reads back
    /// identical, so the live event and a later API read of the same row agree to the character.
    /// </summary>
    public static DateTimeOffset Now
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        }
    }
}
