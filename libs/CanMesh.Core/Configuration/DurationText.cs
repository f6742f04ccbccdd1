using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CanMesh.Configuration;

/// <summary>Durations as people write them in configuration: 250ms, 10s, 5m, 2h, 7d, or plain seconds.</summary>
public static class DurationText
{
    /// <summary>
    /// The longest duration accepted: 100 years. Anything longer is a slip of the keyboard, and a TimeSpan near its
    /// maximum overflows as soon as it is added to a time.
    /// </summary>
    public static readonly TimeSpan MaxValue = TimeSpan.FromDays(36_500);

    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <param name="text">The text to read.</param>
    /// <param name="value">The duration, or zero.</param>
    /// <param name="problem">Why <paramref name="text"/> is not a duration (for a configuration error), or null.</param>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? problem)
    {
        value = default;
        var s = (text ?? "").Trim();
        if (s.Length == 0) return Fail(out problem, "empty");
        double scale = 1;
        foreach (var (suffix, seconds) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                !(suffix == "s" && s.EndsWith("ms", StringComparison.OrdinalIgnoreCase)))
            {
                s = s[..^suffix.Length].TrimEnd();
                scale = seconds;
                break;
            }
        }
        // double.TryParse accepts "NaN" and "Infinity" (any case) and reads 1e400 as infinity, so each is checked:
        // TimeSpan.FromSeconds would throw on NaN, and no comparison with NaN is ever true.
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || double.IsNaN(n))
            return Fail(out problem, "not a number");
        if (n < 0) return Fail(out problem, "negative");
        var total = n * scale;
        if (!(total <= MaxValue.TotalSeconds)) return Fail(out problem, "longer than 100 years");
        value = TimeSpan.FromSeconds(total);
        problem = null;
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

    private static bool Fail(out string problem, string reason)
    {
        problem = reason;
        return false;
    }
}
