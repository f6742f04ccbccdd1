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

    /// <summary>Parses the option's text with the syntax every verb shares (<see cref="IdRanges"/>); false with a one-line reason.</summary>
    public static bool TryParse(string text, out IdFilter filter, out string error)
    {
        filter = new IdFilter([]);
        if (!IdRanges.TryParse(text, out var ranges, out error)) return false;
        filter = new IdFilter([.. ranges.Select(range => (range.Min, range.Max))]);
        return true;
    }
}
