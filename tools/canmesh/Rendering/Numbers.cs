using System.Globalization;

namespace CanMesh.Cli.Rendering;

/// <summary>Numbers as the tables show them: grouped counts, short rates, binary sizes, compact durations.</summary>
internal static class Numbers
{
    public static string Count(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double perSecond) => perSecond switch
    {
        0 => "0",
        < 10 => perSecond.ToString("0.0", CultureInfo.InvariantCulture),
        _ => perSecond.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string Bytes(ulong value) => value switch
    {
        < 1024 => $"{value} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{value / 1024.0:0.#} KiB"),
        < 1024UL * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{value / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    public static string Bitrate(uint bitsPerSecond) => bitsPerSecond switch
    {
        0 => "-",
        < 1000 => $"{bitsPerSecond} bit/s",
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1000.0:0.#} kbit/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bitsPerSecond / 1_000_000.0:0.#} Mbit/s"),
    };

    public static string Uptime(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes:00}m"
            : span.TotalHours >= 1 ? $"{span.Hours}h {span.Minutes:00}m {span.Seconds:00}s"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds:00}s"
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0}s");
    }
}
