using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CanMesh.Configuration;

/// <summary>
/// Byte sizes as people write them: 65536, 512KiB, 64MiB, 2GiB, 1TiB. Only binary units: "8GB" could mean 8·10^9 or
/// 8·2^30 bytes depending on who wrote it, 7% apart, which matters for a disk budget; it is refused with a hint
/// rather than guessed.
/// </summary>
public static class SizeText
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40), ("B", 1),
    ];

    private static readonly string[] DecimalUnits = ["kB", "MB", "GB", "TB"];

    public static bool TryParse(string? text, out long bytes) => TryParse(text, out bytes, out _);

    /// <param name="text">The text to read; a fraction of a byte is rounded down.</param>
    /// <param name="bytes">The size in bytes, or zero.</param>
    /// <param name="problem">Why <paramref name="text"/> is not a size (for a configuration error), or null.</param>
    public static bool TryParse(string? text, out long bytes, [NotNullWhen(false)] out string? problem)
    {
        bytes = 0;
        var s = (text ?? "").Trim();
        if (s.Length == 0) return Fail(out problem, "empty");
        foreach (var unit in DecimalUnits)
        {
            if (s.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
                return Fail(out problem, $"{s[^unit.Length..]} is a decimal unit: use GiB/MiB/KiB (binary units)");
        }
        long factor = 1;
        foreach (var (suffix, f) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }
        // decimal: exact up to long.MaxValue bytes (a double is not), and it has no NaN or infinity.
        if (!decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            // Tell an overflow (1e400, Infinity) from text that is no number at all (NaN, 0x10, "lots").
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d))
                return d < 0 ? Fail(out problem, "negative") : Fail(out problem, TooLarge);
            return Fail(out problem, "not a number");
        }
        if (n < 0) return Fail(out problem, "negative");
        // The first check keeps n * factor far below decimal's own limit (about 7.9e28); the second is exact.
        if (n > (decimal)(long.MaxValue / factor) + 1) return Fail(out problem, TooLarge);
        var total = decimal.Floor(n * factor);
        if (total > long.MaxValue) return Fail(out problem, TooLarge);
        bytes = (long)total;
        problem = null;
        return true;
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30}GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20}MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10}KiB",
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0}GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0}MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.0}KiB",
        _ => $"{bytes}B",
    };

    private static string TooLarge => $"more than {long.MaxValue.ToString(CultureInfo.InvariantCulture)} bytes";

    private static bool Fail(out string problem, string reason)
    {
        problem = reason;
        return false;
    }
}
