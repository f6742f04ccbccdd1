using System.Globalization;
using CanMesh.Text;
using Microsoft.Extensions.Configuration;

namespace CanMesh.Configuration;

/// <summary>
/// Reads typed settings from configuration by key, collecting every problem instead of stopping at the
/// first, so one start of a service tells the user all that is wrong. Each problem names the key as
/// written in JSON (Capture:Queue:CapacityFrames) and as an environment variable
/// (CANMESH_CAPTURE__QUEUE__CAPACITYFRAMES), the value given, and what is allowed.
/// </summary>
/// <remarks>
/// Hand-written reads rather than the reflection binder: the binder's messages name the key but not
/// what is allowed, and it accepts misspelled keys silently; <see cref="RejectUnknownKeys"/> catches those.
/// </remarks>
public sealed class SettingsReader
{
    public const string EnvironmentPrefix = "CANMESH_";

    private readonly IConfiguration _root;
    private readonly List<string> _problems = [];
    private readonly HashSet<string> _knownKeys = new(StringComparer.OrdinalIgnoreCase);

    public SettingsReader(IConfiguration root) => _root = root;

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>How a key is written as an environment variable.</summary>
    public static string EnvironmentName(string key) =>
        EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>
    /// Records a problem. The value is shown escaped (<see cref="PrintableText"/>), since it goes to a terminal, and
    /// bounded like a path, since many values are paths and a cut path would not tell the user which file.
    /// </summary>
    public void AddProblem(string key, string? value, string allowed) =>
        _problems.Add(value is null
            ? $"{key} (env {EnvironmentName(key)}): {allowed}"
            : $"{key} (env {EnvironmentName(key)}) = '{PrintableText.Escape(value, PrintableText.MaxPathLength)}': {allowed}");

    /// <summary>Throws <see cref="ConfigurationException"/> if any read found a problem.</summary>
    public void ThrowIfInvalid()
    {
        if (_problems.Count > 0) throw new ConfigurationException(_problems.ToArray());
    }

    private string? Raw(string key)
    {
        _knownKeys.Add(key);
        return _root[key];
    }

    /// <summary>Marks a section as read, for <see cref="RejectUnknownKeys"/>, and says whether it has children.</summary>
    public bool HasSection(string key)
    {
        _knownKeys.Add(key);
        return _root.GetSection(key).GetChildren().Any();
    }

    /// <summary>The indexes present under an array-like section (Capture:Interfaces:0, :1, ...), in order.</summary>
    public IReadOnlyList<string> ChildKeys(string key)
    {
        _knownKeys.Add(key);
        return _root.GetSection(key).GetChildren()
            .Select(c => c.Key)
            .OrderBy(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .ThenBy(k => k, StringComparer.Ordinal)
            .ToArray();
    }

    public string GetString(string key, string defaultValue) => Raw(key) is { Length: > 0 } v ? v : defaultValue;

    public string? GetOptionalString(string key) => Raw(key) is { Length: > 0 } v ? v : null;

    public string GetRequiredString(string key, string what)
    {
        var value = Raw(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            AddProblem(key, null, $"required: {what}");
            return "";
        }
        return value;
    }

    public bool GetBool(string key, bool defaultValue)
    {
        var value = Raw(key);
        if (string.IsNullOrEmpty(value)) return defaultValue;
        if (bool.TryParse(value, out var b)) return b;
        AddProblem(key, value, "allowed values are true or false");
        return defaultValue;
    }

    public long GetInt64(string key, long defaultValue, long min, long max)
    {
        var value = Raw(key);
        if (string.IsNullOrEmpty(value)) return defaultValue;
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
            return n;
        AddProblem(key, value, $"a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return defaultValue;
    }

    public int GetInt32(string key, int defaultValue, int min, int max) => (int)GetInt64(key, defaultValue, min, max);

    public double GetDouble(string key, double defaultValue, double min, double max)
    {
        var value = Raw(key);
        if (string.IsNullOrEmpty(value)) return defaultValue;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max)
            return d;
        AddProblem(key, value, $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return defaultValue;
    }

    /// <summary>A duration as "250ms", "10s", "5m", "2h", "7d" or a plain number of seconds.</summary>
    public TimeSpan GetDuration(string key, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        var value = Raw(key);
        if (string.IsNullOrEmpty(value)) return defaultValue;
        var parsed = DurationText.TryParse(value, out var span, out var problem);
        if (parsed && span >= min && span <= max) return span;
        AddProblem(key, value, $"a duration from {DurationText.Format(min)} to {DurationText.Format(max)}, written like 250ms, 10s, 5m, 2h or 7d" +
            (parsed ? "" : $" ({problem})"));
        return defaultValue;
    }

    /// <summary>A size as "512KiB", "64MiB", "2GiB" or a plain number of bytes; decimal units (8GB) are refused.</summary>
    public long GetSize(string key, long defaultValue, long min, long max)
    {
        var value = Raw(key);
        if (string.IsNullOrEmpty(value)) return defaultValue;
        var parsed = SizeText.TryParse(value, out var bytes, out var problem);
        if (parsed && bytes >= min && bytes <= max) return bytes;
        AddProblem(key, value, $"a size from {SizeText.Format(min)} to {SizeText.Format(max)}, written like 65536, 512KiB, 64MiB or 2GiB" +
            (parsed ? "" : $" ({problem})"));
        return defaultValue;
    }

    /// <summary>One of a fixed set of words (case-insensitive); the problem lists them.</summary>
    public TEnum GetEnum<TEnum>(string key, TEnum defaultValue) where TEnum : struct, Enum
    {
        var value = Raw(key);
        if (string.IsNullOrEmpty(value)) return defaultValue;
        foreach (var name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase)) return Enum.Parse<TEnum>(name);
        }
        AddProblem(key, value, "allowed values are " + string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant())));
        return defaultValue;
    }

    /// <summary>A list given as a JSON array (Key:0, Key:1, ...) or as one comma-separated string.</summary>
    public IReadOnlyList<(string Key, string Value)> GetList(string key)
    {
        var single = Raw(key);
        if (!string.IsNullOrWhiteSpace(single))
        {
            return single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => (key, v)).ToArray();
        }
        return ChildKeys(key).Select(k => $"{key}:{k}").Select(k => (k, Raw(k) ?? "")).ToArray();
    }

    /// <summary>
    /// Reports every key present under <paramref name="sections"/> that no read asked for: a misspelled
    /// key would otherwise be ignored and its default used without a word.
    /// </summary>
    public void RejectUnknownKeys(params string[] sections)
    {
        foreach (var section in sections)
        {
            foreach (var pair in _root.GetSection(section).AsEnumerable(makePathsRelative: false))
            {
                if (pair.Value is null) continue;
                if (_knownKeys.Contains(pair.Key)) continue;
                AddProblem(pair.Key, pair.Value, "unknown setting (misspelled?); see the configuration reference in README.md");
            }
        }
    }
}
