using System.Globalization;

namespace CanMesh.Configuration;

/// <summary>Durations as people write them in configuration: 250ms, 10s, 5m, 2h, 7d, or plain seconds.</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var s = text.Trim();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
        double scale = 1;
        foreach (var (suffix, seconds) in units)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                !(suffix == "s" && s.EndsWith("ms", StringComparison.OrdinalIgnoreCase)))
            {
                s = s[..^suffix.Length].TrimEnd();
                scale = seconds;
                break;
            }
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || double.IsInfinity(n)) return false;
        var total = n * scale;
        if (total > TimeSpan.MaxValue.TotalSeconds / 2) return false;
        value = TimeSpan.FromSeconds(total);
        return true;
    }

    public static string Format(TimeSpan value) => value switch
    {
        { TotalDays: >= 1 } when value.TotalDays == Math.Floor(value.TotalDays) => $"{value.TotalDays:0}d",
        { TotalHours: >= 1 } when value.TotalHours == Math.Floor(value.TotalHours) => $"{value.TotalHours:0}h",
        { TotalMinutes: >= 1 } when value.TotalMinutes == Math.Floor(value.TotalMinutes) => $"{value.TotalMinutes:0}m",
        { TotalSeconds: >= 1 } => $"{value.TotalSeconds:0.###}s",
        _ => $"{value.TotalMilliseconds:0.###}ms",
    };
}
