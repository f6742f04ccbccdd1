using System.Globalization;

namespace CanMesh.Flipper.Tests.Infrastructure;

/// <summary>A STATS line read back into its fields, as a Flipper app would.</summary>
public sealed class StatsLine
{
    private readonly Dictionary<string, string> _fields;

    private StatsLine(Dictionary<string, string> fields, IReadOnlyList<string> order)
    {
        _fields = fields;
        Order = order;
    }

    /// <summary>The field names in the order they came.</summary>
    public IReadOnlyList<string> Order { get; }

    public string this[string name] => _fields.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"no field {name}");

    public ulong Number(string name) => ulong.Parse(this[name], CultureInfo.InvariantCulture);

    public ulong Total => Number("total");
    public ulong Pending => Number("pending");
    public ulong Processed => Number("processed");

    public static bool IsStats(string line) => line.StartsWith("STATS:", StringComparison.Ordinal);

    public static StatsLine Parse(string line)
    {
        if (!IsStats(line)) throw new FormatException($"not a STATS line: {line}");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var part in line["STATS:".Length..].Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0) throw new FormatException($"field without '=' in {line}");
            fields[part[..equals]] = part[(equals + 1)..];
            order.Add(part[..equals]);
        }
        return new StatsLine(fields, order);
    }

    public static bool TryMatch(string line, Func<StatsLine, bool> condition) => IsStats(line) && condition(Parse(line));
}
