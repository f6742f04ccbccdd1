using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Cli.Formats;

/// <summary>
/// Reads a log file into frame batches. Lines that should be frames but are not are reported (file, 1-based line,
/// reason) and skipped, never thrown: one bad line must not cost the rest of a log. Lines that are not frames by
/// the format's own definition (ASC status and statistics events, comments) are only counted.
/// </summary>
internal interface IFrameLogReader : IDisposable
{
    /// <summary>Appends frames until the batch is full or the log ends; 0 with room left means the log has ended.</summary>
    int ReadBatch(FrameBatch batch);

    long MalformedLines { get; }

    /// <summary>Lines that are not frames and were not meant to be (comments, status, statistics, DROPCOUNT notes).</summary>
    long IgnoredLines { get; }
}

/// <summary>What a reader needs from its caller: the interface table, and where to report skipped lines.</summary>
internal sealed record FrameLogReaderContext(string Source, Func<string, ushort> ResolveInterface, Action<CandumpSkippedLine> OnSkipped);
