using CanMesh.Frames;

namespace CanMesh.Cli.Formats;

/// <summary>
/// Writes frames in one log format. Frames come in seq order with their seqs beside them; the writer formats into
/// its own buffer and writes bytes, so a long export allocates nothing per frame.
/// </summary>
internal interface IFrameLogWriter : IDisposable
{
    void Write(ReadOnlySpan<CanFrame> frames, ReadOnlySpan<long> seqs);

    /// <summary>Writes what is buffered and anything the format needs at its end (ASC's End TriggerBlock).</summary>
    void Finish();
}

/// <summary>
/// What a writer may need before the first frame: interface names, the interfaces the export holds (ASC numbers
/// them as channels in its header) and the earliest timestamp (ASC writes times relative to its date line).
/// </summary>
/// <param name="InterfaceName">The name of an interface id.</param>
/// <param name="Interfaces">Interface ids present in the export, ascending; filled by a first pass when the format asks for one.</param>
/// <param name="EarliestTimestampNs">The smallest timestamp in the export (0 when it has no frame); filled by the first pass.</param>
internal sealed record ExportHeader(Func<ushort, string> InterfaceName, IReadOnlyList<ushort> Interfaces, long EarliestTimestampNs);
