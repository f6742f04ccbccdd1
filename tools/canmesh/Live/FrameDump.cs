using CanMesh.Client;

namespace CanMesh.Cli.Live;

/// <summary>
/// dump's loop: reads committed batches from a subscription, writes them, flushes once per batch, and acknowledges
/// what it has written, so the service's lag figure for this viewer is true. Ends after <c>limit</c> frames, when
/// cancelled (Ctrl+C, SIGTERM), or when standard output is closed (<see cref="OutputClosedException"/> from the writer).
/// </summary>
internal sealed class FrameDump(Subscription subscription, IFrameWriter writer, long? limit)
{
    public long FramesWritten { get; private set; }

    /// <summary>The loop ended because standard output was closed.</summary>
    public bool OutputClosed { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (limit is not { } most || FramesWritten < most)
        {
            var batch = await subscription.ReadDecodedAsync(cancellationToken).ConfigureAwait(false);
            var take = limit is { } max ? (int)Math.Min(batch.Count, max - FramesWritten) : batch.Count;
            writer.Write(batch, take);
            FramesWritten += take;
            try
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OutputClosedException)
            {
                OutputClosed = true;
                return;
            }
            // Frames a --count cut off are not acknowledged: everything up to the last written one, or the whole batch.
            subscription.Ack(take == batch.Count ? batch.ThroughSeq : batch.Seqs[take - 1]);
        }
    }
}
