using System.Globalization;

namespace CanMesh.Cli.Formats.Asc;

/// <summary>
/// The date of an ASC file's <c>date</c> and <c>Begin Triggerblock</c> lines: the time its timestamps count from.
/// CanMesh writes it in English with am/pm and milliseconds (<c>Wed Dec 02 10:00:00.000 am 2026</c>), the form
/// CANalyzer writes in an English locale and can-utils' asc2log takes (it skips a 3-letter weekday). The time is
/// UTC: ASC has no zone field, and a capture's timestamps are UTC. Reading also takes the German form CANalyzer
/// writes there (<c>Sam Sep 30 15:06:13.191 2017</c>, 24-hour, German month names).
/// </summary>
internal static class AscDate
{
    private static readonly string[] EnglishDays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] EnglishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    // German abbreviations that differ from the English ones, by month number.
    private static readonly (string Name, int Month)[] GermanMonths = [("Mär", 3), ("Mrz", 3), ("Mai", 5), ("Okt", 10), ("Dez", 12)];

    /// <summary>The date text for <paramref name="unixMs"/> (whole milliseconds since the epoch, UTC).</summary>
    public static string Format(long unixMs)
    {
        var t = DateTime.UnixEpoch.AddMilliseconds(unixMs);
        var hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        return string.Create(CultureInfo.InvariantCulture,
            $"{EnglishDays[(int)t.DayOfWeek]} {EnglishMonths[t.Month - 1]} {t.Day:00} {hour12:00}:{t.Minute:00}:{t.Second:00}.{t.Millisecond:000} {(t.Hour < 12 ? "am" : "pm")} {t.Year:0000}");
    }

    /// <summary>Parses the text after <c>date</c> into ns since the epoch (read as UTC); false if it is not a date this reader knows.</summary>
    public static bool TryParse(string text, out long unixNs)
    {
        unixNs = 0;
        var t = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        // weekday month day time [am|pm] year
        if (t.Length is not (5 or 6)) return false;
        var month = MonthOf(t[1]);
        if (month == 0 || !int.TryParse(t[2], NumberStyles.None, CultureInfo.InvariantCulture, out var day)) return false;
        var clock = t[3].Split(':');
        if (clock.Length != 3
            || !int.TryParse(clock[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(clock[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            || !decimal.TryParse(clock[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            return false;
        if (t.Length == 6)
        {
            var pm = t[4].Equals("pm", StringComparison.OrdinalIgnoreCase);
            if (!pm && !t[4].Equals("am", StringComparison.OrdinalIgnoreCase)) return false;
            if (hour is < 1 or > 12) return false;
            hour = hour % 12 + (pm ? 12 : 0);
        }
        if (!int.TryParse(t[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return false;
        try
        {
            var start = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Utc);
            unixNs = (start - DateTime.UnixEpoch).Ticks * 100 + (long)(seconds * 1_000_000_000m);
            return seconds < 61 && unixNs >= 0;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static int MonthOf(string name)
    {
        for (var i = 0; i < EnglishMonths.Length; i++)
        {
            if (name.StartsWith(EnglishMonths[i], StringComparison.OrdinalIgnoreCase)) return i + 1;
        }
        foreach (var (german, month) in GermanMonths)
        {
            if (name.StartsWith(german, StringComparison.OrdinalIgnoreCase)) return month;
        }
        return 0;
    }
}
