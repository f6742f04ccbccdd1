using System.Diagnostics;
using System.Threading.Channels;
using CanMesh.Client;
using CanMesh.Client.Decoding;
using CanMesh.Forwarder.Stats;

namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// Reads the subscription and fills blocks: a block goes to the writer when it holds Forwarder:Commit:MaxFrames
/// frames, or Forwarder:Commit:MaxDelay after its first frame even if no batch arrives meanwhile (a quiet bus
/// still reaches PostgreSQL within that delay). Backlog drain and live tail are the same loop: during a drain
/// blocks fill at once, live they go by time.
/// </summary>
internal sealed class BlockReader(Subscription subscription, string captureId, BlockPool pool, ChannelWriter<FrameBlock> output,
    int commitMaxFrames, TimeSpan commitMaxDelay, ForwarderStats stats)
{
    /// <exception cref="CaptureChangedException">The stream now comes from another capture database.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        FrameBlock? block = null;
        Task<DecodedFrameBatch>? read = null;
        try
        {
            block = await RentAsync(cancellationToken);
            while (true)
            {
                read ??= subscription.ReadDecodedAsync(cancellationToken).AsTask();
                if (!block.IsEmpty && !read.IsCompleted)
                {
                    var remaining = commitMaxDelay - Stopwatch.GetElapsedTime(block.StartedTicks);
                    if (remaining > TimeSpan.Zero)
                    {
                        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        var timer = Task.Delay(remaining, wake.Token);
                        await Task.WhenAny(read, timer).ConfigureAwait(false);
                        await wake.CancelAsync();
                    }
                    if (!read.IsCompleted)
                    {
                        block = await HandOffAsync(block, cancellationToken);
                        continue;
                    }
                }

                var batch = await read.ConfigureAwait(false);
                read = null;
                if (subscription.CaptureId is { } current && current != captureId) throw new CaptureChangedException(captureId, current);
                stats.RecordCommitted(batch.CommittedSeq);
                if (!block.HasRoomFor(batch.Count)) block = await HandOffAsync(block, cancellationToken);
                block.Append(batch, subscription.Interfaces, Stopwatch.GetTimestamp());
                if (block.Count >= commitMaxFrames || Stopwatch.GetElapsedTime(block.StartedTicks) >= commitMaxDelay)
                {
                    block = await HandOffAsync(block, cancellationToken);
                }
            }
        }
        finally
        {
            // Stopping: what was read still goes to the writer if there is room, so a clean stop loses no work;
            // if not, those frames were not acknowledged and come again next time.
            if (block is { IsEmpty: false }) output.TryWrite(block);
            output.TryComplete();
            if (read is not null)
            {
                try
                {
                    await read.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or Grpc.Core.RpcException)
                {
                    // The read was abandoned with the session; the subscription resumes without loss next time.
                }
            }
        }
    }

    private async Task<FrameBlock> HandOffAsync(FrameBlock block, CancellationToken cancellationToken)
    {
        await output.WriteAsync(block, cancellationToken);
        return await RentAsync(cancellationToken);
    }

    private async Task<FrameBlock> RentAsync(CancellationToken cancellationToken)
    {
        var block = await pool.RentAsync(cancellationToken);
        block.Reset(captureId);
        return block;
    }
}
