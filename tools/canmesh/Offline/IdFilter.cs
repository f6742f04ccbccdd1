using System.Globalization;

namespace CanMesh.Cli.Offline;

/// <summary>
/// The --id filter: hex identifiers and inclusive ranges, comma separated (<c>100-1FF,7DF</c>, an optional 0x
/// prefix). Matched against the identifier without flag bits, as the capture's own filter does, so a filter
/// means the same offline and through the socket.
/// </summary>
internal sealed class IdFilter
{
    private readonly (uint Min, uint Max)[] _ranges;

    private IdFilter((uint, uint)[] ranges) => _ranges = ranges;

    public IReadOnlyList<(uint Min, uint Max)> Ranges => _ranges;

    public bool Matches(uint id)
    {
        foreach (var (min, max) in _ranges)
        {
            if (id >= min && id <= max) return true;
        }
        return false;
    }

    /// <summary>Parses the option's text; false with a one-line reason for anything else.</summary>
    public static bool TryParse(string text, out IdFilter filter, out string error)
    {
        filter = new IdFilter([]);
        var ranges = new List<(uint, uint)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
            {
                error = $"--id '{text}': an empty item; write hex ids and ranges like 100-1FF,7DF.";
                return false;
            }
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var minText = dash < 0 ? part : part[..dash];
            var maxText = dash < 0 ? part : part[(dash + 1)..];
            if (!TryHex(minText, out var min) || !TryHex(maxText, out var max))
            {
                error = $"--id '{part}' is not a hex id or range (e.g. 7DF, 100-1FF, 18DAF100-18DAF1FF).";
                return false;
            }
            if (min > max)
            {
                error = $"--id '{part}': the range starts above its end.";
                return false;
            }
            ranges.Add((min, max));
        }
        filter = new IdFilter([.. ranges]);
        error = "";
        return true;
    }

    private static bool TryHex(string text, out uint value)
    {
        var digits = text.Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) digits = digits[2..];
        value = 0;
        return digits.Length is > 0 and <= 8
            && uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            && value <= 0x1FFF_FFFF;
    }
}
