namespace CanMesh.Cli.Formats;

/// <summary>
/// One log format by name: how to write it and, where CanMesh reads it back, how to read it. Formats are chosen by
/// name (--format) or by a file's extension, the way python-can's io package picks its readers and writers.
/// </summary>
/// <param name="Name">The --format value.</param>
/// <param name="Extensions">File extensions that mean this format, with the dot.</param>
/// <param name="NeedsFirstPass">The writer needs <see cref="ExportHeader.Interfaces"/> and <see cref="ExportHeader.EarliestTimestampNs"/>.</param>
internal sealed record FrameLogFormat(
    string Name,
    string Description,
    string[] Extensions,
    bool NeedsFirstPass,
    Func<Stream, ExportHeader, IFrameLogWriter> CreateWriter,
    Func<Stream, FrameLogReaderContext, IFrameLogReader>? CreateReader);

internal static class FrameLogFormats
{
    public static IReadOnlyList<FrameLogFormat> All { get; } =
    [
        new("candump", "candump -l log: (seconds.micros) iface id#data, what canplayer replays", [".log", ".candump"], false,
            (stream, header) => new Candump.CandumpFrameWriter(stream, header),
            (stream, context) => new Candump.CandumpFrameReader(stream, context)),
        new("asc", "Vector ASC (CANalyzer/CANoe), as can-utils' asc2log and log2asc read and write it", [".asc"], true,
            (stream, header) => new Asc.AscWriter(stream, header),
            (stream, context) => new Asc.AscReader(stream, context)),
        new("csv", "CSV with a header row, one frame per line, for pandas and spreadsheets", [".csv"], false,
            (stream, header) => new Csv.CsvWriter(stream, header),
            null),
    ];

    public static string Names(bool readableOnly = false) =>
        string.Join("|", All.Where(f => !readableOnly || f.CreateReader is not null).Select(f => f.Name));

    public static FrameLogFormat? Find(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The readable format a file's extension names; candump for any other extension (candump logs have many).</summary>
    public static FrameLogFormat ForFile(string path)
    {
        var extension = Path.GetExtension(path);
        return All.FirstOrDefault(f => f.CreateReader is not null && f.Extensions.Contains(extension, StringComparer.OrdinalIgnoreCase)) ?? All[0];
    }
}
