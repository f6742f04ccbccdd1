using System.Net.Sockets;
using System.Threading.Channels;
using CanMesh.Client;
using CanMesh.Forwarder.Hosting;
using CanMesh.Forwarder.Postgres;
using CanMesh.Forwarder.Stats;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// Writes each block into PostgreSQL, retrying with backoff through any outage until it commits, and only then
/// acknowledges it to the capture service (ARCHITECTURE invariant 3): a frame acknowledged is in PostgreSQL.
/// </summary>
internal sealed class BlockWriter(FrameSink sink, Subscription subscription, BlockPool pool, PostgresOutage outage, RetryBackoff backoff,
    ForwarderStats stats, ILogger logger, string schema)
{
    /// <summary>Writes blocks until the reader completes the channel; a cancelled token abandons what is left (not acknowledged).</summary>
    public async Task RunAsync(ChannelReader<FrameBlock> input, CancellationToken cancellationToken)
    {
        await foreach (var block in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var written = await WriteUntilCommittedAsync(sink, block, outage, backoff, cancellationToken);
            if (written.Rejected > 0) ForwarderLog.FramesRejected(logger, written.Rejected, block.CaptureId, block.ThroughSeq, schema);
            if (written.Missing > 0) ForwarderLog.FramesMissing(logger, written.Missing, block.CaptureId, block.ThroughSeq, schema);
            if (subscription.CaptureId == block.CaptureId && block.ThroughSeq <= subscription.DeliveredSeq) subscription.Ack(block.ThroughSeq);
            stats.RecordCommit(written, Math.Max(block.CommittedSeq, subscription.CommittedSeq));
            pool.Return(block);
        }
    }

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, logging each change of PostgreSQL's state once.</summary>
    public static async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> attempt, FrameSink sink, PostgresOutage outage, RetryBackoff backoff,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var result = await attempt(cancellationToken);
                outage.Succeeded();
                backoff.Reset();
                return result;
            }
            catch (Exception e) when (IsRetryable(e) && !cancellationToken.IsCancellationRequested)
            {
                outage.Failed(e);
                // Pooled connections may be dead now (a restarted server); the schema may be gone (a recreated database).
                sink.Reset();
                await Task.Delay(backoff.Next(), cancellationToken);
            }
        }
    }

    private static Task<BlockWritten> WriteUntilCommittedAsync(FrameSink sink, FrameBlock block, PostgresOutage outage, RetryBackoff backoff,
        CancellationToken cancellationToken) =>
        RetryAsync(ct => sink.WriteAsync(block, ct), sink, outage, backoff, cancellationToken);

    private static bool IsRetryable(Exception error) =>
        error is NpgsqlException or IOException or SocketException or TimeoutException;
}
