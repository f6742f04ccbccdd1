using System.Globalization;
using System.Text.RegularExpressions;

namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>
/// Reading the forwarder's console log (the simple format: "warn: CanMesh.Forwarder[202] ..."): its lines by
/// EventId, which are stable where the wording may change, and what its last stats line said.
/// </summary>
public static partial class ForwarderOutput
{
    /// <summary>The lines logged with <paramref name="eventId"/>.</summary>
    public static IReadOnlyList<string> Lines(string stdout, int eventId)
    {
        var tag = $"CanMesh.Forwarder[{eventId.ToString(CultureInfo.InvariantCulture)}]";
        return stdout.Split('\n').Where(l => l.Contains(tag, StringComparison.Ordinal)).Select(l => l.TrimEnd('\r')).ToList();
    }

    /// <summary>PostgreSQL's state and the retries so far, from the last stats line (EventId 500); null before the first.</summary>
    public static (string State, long Retries)? LastStats(string stdout)
    {
        var matches = StatsPattern().Matches(stdout);
        if (matches.Count == 0) return null;
        var last = matches[^1];
        return (last.Groups["state"].Value, long.Parse(last.Groups["retries"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"PostgreSQL (?<state>[a-z ]+), retries (?<retries>\d+),")]
    private static partial Regex StatsPattern();
}
