using System.Globalization;
using CanMesh.Protos.V1;

namespace CanMesh.Cli;

/// <summary>
/// CAN id ranges as people type them after candump: hex without 0x, single ids or MIN-MAX (inclusive),
/// comma-separated ("100-1FF", "7DF,7E0-7EF"). Parsed in the verb, not by System.CommandLine, so a bad range is
/// one line and exit code 2 rather than the parser's help screen.
/// </summary>
internal static class IdRanges
{
    /// <summary>The largest id: 29 bits (extended frames).</summary>
    public const uint MaxId = 0x1FFF_FFFF;

    /// <summary>Parses <paramref name="text"/> into ranges, or returns false with one line saying what is wrong.</summary>
    public static bool TryParse(string text, out IReadOnlyList<IdRange> ranges, out string error)
    {
        var parsed = new List<IdRange>();
        ranges = parsed;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "--id: empty; give hex ids or ranges such as 100-1FF or 7DF,7E0-7EF";
            return false;
        }
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2 || !TryParseId(bounds[0], out var min) || !TryParseId(bounds[^1], out var max))
            {
                error = $"--id: '{part}' is not a hex id or range (e.g. 123, 100-1FF, 18DAF100-18DAF1FF; ids up to {MaxId:X})";
                return false;
            }
            if (min > max)
            {
                error = $"--id: '{part}' runs backwards ({min:X} is above {max:X})";
                return false;
            }
            parsed.Add(new IdRange { Min = min, Max = max });
        }
        return true;
    }

    /// <summary>Whether <paramref name="id"/> is in any of <paramref name="ranges"/> (an empty list holds every id).</summary>
    public static bool Contains(IReadOnlyList<IdRange> ranges, uint id)
    {
        if (ranges.Count == 0) return true;
        foreach (var range in ranges)
        {
            if (id >= range.Min && id <= range.Max) return true;
        }
        return false;
    }

    private static bool TryParseId(string text, out uint id)
    {
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && digits.Length > 0 && id <= MaxId;
    }
}
