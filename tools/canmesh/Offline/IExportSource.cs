using CanMesh.Frames;

namespace CanMesh.Cli.Offline;

/// <summary>Takes frames in seq order, with their seqs; the spans are valid during the call only.</summary>
internal delegate void FrameSink(ReadOnlySpan<CanFrame> frames, ReadOnlySpan<long> seqs);

/// <summary>Where an export reads its frames: a capture database file, or a running capture's Query RPC.</summary>
internal interface IExportSource : IAsyncDisposable
{
    /// <summary>The name of an interface id, for frames already passed to a sink.</summary>
    string InterfaceName(ushort id);

    /// <summary>About how many frames the export reads (seqs in range before filtering), for a progress bar; null if unknown.</summary>
    long? EstimatedFrames { get; }

    /// <summary>Passes every selected frame to <paramref name="sink"/>, in seq order; can run more than once. Returns the frames passed.</summary>
    Task<long> ForEachAsync(FrameSink sink, Action<long>? progress, CancellationToken cancellationToken);
}
