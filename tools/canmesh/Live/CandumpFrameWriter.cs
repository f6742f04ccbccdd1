using CanMesh.Candump;
using CanMesh.Client.Decoding;

namespace CanMesh.Cli.Live;

/// <summary>dump --format candump: the exact `candump -l` lines of CanMesh.Core's formatter, which canplayer and log2asc read.</summary>
internal sealed class CandumpFrameWriter(Stream output, IReadOnlyDictionary<uint, string> interfaces) : IFrameWriter
{
    // The subscription announces each interface id before its first frame, so the lookup cannot miss.
    private readonly CandumpLogWriter _writer = new(output, id => interfaces[id], leaveOpen: true);

    public void Write(DecodedFrameBatch batch, int count) => _writer.Write(batch.Frames[..count]);

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (OutputClosedException)
        {
            // Lines still buffered here are from a flush that failed because the output closed: nowhere to go.
        }
    }
}
