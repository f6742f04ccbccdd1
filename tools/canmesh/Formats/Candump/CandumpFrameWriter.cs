using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Cli.Formats.Candump;

/// <summary>The candump format through the core library's writer: the one canonical formatter, no second copy here.</summary>
internal sealed class CandumpFrameWriter(Stream stream, ExportHeader header) : IFrameLogWriter
{
    private readonly CandumpLogWriter _writer = new(stream, header.InterfaceName, leaveOpen: true);

    public void Write(ReadOnlySpan<CanFrame> frames, ReadOnlySpan<long> seqs) => _writer.Write(frames);

    public void Finish() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
