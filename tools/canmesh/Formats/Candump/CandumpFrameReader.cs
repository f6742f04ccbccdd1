using CanMesh.Candump;
using CanMesh.Frames;

namespace CanMesh.Cli.Formats.Candump;

/// <summary>The candump format through the core library's reader, which reports every skipped line with its number.</summary>
internal sealed class CandumpFrameReader(Stream stream, FrameLogReaderContext context) : IFrameLogReader
{
    private readonly CandumpLogReader _reader = new(stream, context.Source, context.ResolveInterface, context.OnSkipped, leaveOpen: true);

    public int ReadBatch(FrameBatch batch) => _reader.ReadBatch(batch);

    public long MalformedLines => _reader.MalformedLines;

    public long IgnoredLines => _reader.DropCountNotices;

    public void Dispose() => _reader.Dispose();
}
