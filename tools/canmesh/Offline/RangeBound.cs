using System.Globalization;

namespace CanMesh.Cli.Offline;

/// <summary>
/// One end of --from/--to: a seq or a time, never a guess between them. A plain integer is a seq (seqs are what
/// the capture numbers frames with); a time is written as one, either ISO-8601 with its offset
/// (<c>2026-12-02T10:00:00Z</c>, <c>2026-12-02T11:00:00.5+01:00</c>) or Unix seconds with a decimal point, as candump
/// writes them (<c>1700000000.25</c>, <c>1700000000.0</c>). A time without an offset is refused: which zone was
/// meant is a guess. (Not GNU date's <c>@seconds</c>: System.CommandLine reads a leading @ as a response file.)
/// </summary>
internal readonly record struct RangeBound(long? Seq, long? TimeNs)
{
    public const string Syntax = "a seq (1000: a whole number), Unix seconds with a decimal point (1700000000.5, 1700000000.0) or an ISO-8601 time with offset (2026-12-02T10:00:00Z)";

    public static bool TryParse(string option, string text, out RangeBound bound, out string error)
    {
        bound = default;
        error = "";
        var s = text.Trim();
        if (s.Length > 0 && s.All(char.IsAsciiDigit))
        {
            if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq < 1)
                return Fail(option, text, "a seq is a whole number from 1", out error);
            bound = new RangeBound(seq, null);
            return true;
        }
        if (s.Length > 0 && char.IsAsciiDigit(s[0]) && s.Contains('.', StringComparison.Ordinal) && !s.Contains(':', StringComparison.Ordinal) && !s.Contains('-', StringComparison.Ordinal))
        {
            if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds > 9_000_000_000m)
                return Fail(option, text, "Unix seconds are digits, a decimal point and up to 9 more digits, e.g. 1700000000.5", out error);
            bound = new RangeBound(null, (long)decimal.Truncate(seconds * 1_000_000_000m));
            return true;
        }
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) || !HasOffset(s))
            return Fail(option, text, $"expected {Syntax}", out error);
        var ns = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        if (ns < 0) return Fail(option, text, "the time is before 1970", out error);
        bound = new RangeBound(null, ns);
        return true;
    }

    /// <summary>An ISO time names its zone with Z or a +hh:mm / -hh:mm after the time part.</summary>
    private static bool HasOffset(string s)
    {
        var t = s.IndexOfAny(['T', 't', ' ']);
        if (t < 0) return false;
        var timePart = s[(t + 1)..];
        return timePart.EndsWith('Z') || timePart.EndsWith('z') || timePart.Contains('+', StringComparison.Ordinal) || timePart.Contains('-', StringComparison.Ordinal);
    }

    private static bool Fail(string option, string text, string why, out string error)
    {
        error = $"{option} '{text}': {why}.";
        return false;
    }

    public override string ToString() => Seq is { } seq ? seq.ToString(CultureInfo.InvariantCulture) : $"{TimeNs / 1e9:0.000000}";
}
