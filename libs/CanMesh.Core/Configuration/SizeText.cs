using System.Globalization;

namespace CanMesh.Configuration;

/// <summary>Byte sizes as people write them: 65536, 512KiB, 64MiB, 2GiB, 1GB (SI units are powers of 1000).</summary>
public static class SizeText
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1000L), ("MB", 1000L * 1000), ("GB", 1000L * 1000 * 1000), ("TB", 1000L * 1000 * 1000 * 1000),
        ("B", 1),
    ];

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
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
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0) return false;
        var total = n * factor;
        if (total > long.MaxValue / 2) return false;
        bytes = (long)total;
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
}
