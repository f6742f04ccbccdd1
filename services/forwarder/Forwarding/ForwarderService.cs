using System.Threading.Channels;
using CanMesh.Client;
using CanMesh.Forwarder.Configuration;
using CanMesh.Forwarder.Hosting;
using CanMesh.Forwarder.Postgres;
using CanMesh.Forwarder.Stats;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// The forwarder's life: find the capture, ask PostgreSQL where that capture stands, subscribe right after it
/// as a retaining subscriber, and move blocks (reader -> writer) until stopped. A session starts over when the
/// capture service serves another database. PostgreSQL outages are ridden out inside the writer; capture
/// service restarts inside the subscription.
/// </summary>
internal sealed class ForwarderService(ForwarderSettings settings, ILoggerFactory loggers)
{
    /// <summary>How long a stop waits for blocks already read to commit; past it they are sent again next time.</summary>
    private static readonly TimeSpan StopDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger("CanMesh.Forwarder");
    private readonly ForwarderStats _stats = new();

    public ForwarderStats Stats => _stats;

    public async Task RunAsync(CancellationToken stopping)
    {
        var postgres = settings.Postgres.Describe();
        ForwarderLog.Starting(_logger, settings.Subscriber, settings.CaptureSocket, postgres, settings.Postgres.Schema,
            settings.CommitMaxFrames, (long)settings.CommitMaxDelay.TotalMilliseconds);
        await using var client = new CaptureClient(settings.CaptureSocket, new CaptureClientOptions { LoggerFactory = loggers });
        await using var sink = new FrameSink(settings.Postgres, settings.Subscriber, _logger);
        var outage = new PostgresOutage(_logger, postgres, settings.RetryMaxDelay, _stats);
        var backoff = new RetryBackoff(settings.RetryInitialDelay, settings.RetryMaxDelay);
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var reporter = new StatsReporter(_stats, settings.StatsInterval, _logger).RunAsync(reporting.Token);
        ulong synced = 0;
        string captureId = "";
        var positionKnown = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var capture = await WaitForCaptureAsync(client, backoff, stopping);
                captureId = capture.Store.CaptureId;
                // Until PostgreSQL answers, everything the capture committed counts as pending.
                _stats.RecordCommitted(capture.Store.CommittedSeq);
                synced = await BlockWriter.RetryAsync(ct => sink.SyncedSeqAsync(captureId, ct), sink, outage, backoff, stopping);
                positionKnown = true;
                _stats.Started(captureId, synced, capture.Store.CommittedSeq);
                ForwarderLog.Resuming(_logger, captureId, synced + 1, synced, capture.Store.CommittedSeq);
                try
                {
                    await RunSessionAsync(client, sink, outage, backoff, captureId, synced, stopping);
                }
                catch (CaptureChangedException changed)
                {
                    ForwarderLog.CaptureChanged(_logger, changed.NewCaptureId, changed.OldCaptureId);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // A run that fails (a newer schema, a refused subscription) ends without a stop: the reporter would tick on forever.
            await reporting.CancelAsync();
            await reporter;
            if (positionKnown) ForwarderLog.Stopped(_logger, _stats.Sent, _stats.Commits, captureId, Math.Max(synced, _stats.AckedSeq));
            else ForwarderLog.StoppedBeforePostgres(_logger);
        }
    }

    private async Task RunSessionAsync(CaptureClient client, FrameSink sink, PostgresOutage outage, RetryBackoff backoff,
        string captureId, ulong synced, CancellationToken stopping)
    {
        await using var subscription = client.Subscribe(new SubscriptionOptions
        {
            Subscriber = settings.Subscriber,
            From = SubscriptionStart.AfterSeq(synced),
            Retain = true,
            // A batch never exceeds a transaction, so Commit:MaxFrames is a true upper bound.
            MaxBatchFrames = Math.Min(settings.BatchFrames, settings.CommitMaxFrames),
        });
        // One block filling, one queued, one being written: reading from SQLite overlaps the COPY.
        var pool = new BlockPool(3, settings.CommitMaxFrames);
        var queue = Channel.CreateBounded<FrameBlock>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var readerStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var writerStop = new CancellationTokenSource();
        await using var drainLimit = stopping.Register(() => writerStop.CancelAfter(StopDrainTimeout));

        var reader = new BlockReader(subscription, captureId, pool, queue.Writer, settings.CommitMaxFrames, settings.CommitMaxDelay, _stats);
        var writer = new BlockWriter(sink, subscription, pool, outage, backoff, _stats, _logger, settings.Postgres.Schema);
        var reading = reader.RunAsync(readerStop.Token);
        try
        {
            await writer.RunAsync(queue.Reader, writerStop.Token);
        }
        finally
        {
            await readerStop.CancelAsync();
            try
            {
                await reading;
            }
            catch (OperationCanceledException) when (readerStop.IsCancellationRequested)
            {
            }
        }
        stopping.ThrowIfCancellationRequested();
    }

    /// <summary>GetStats until the capture service answers: which capture database it serves and how far it has committed.</summary>
    private async Task<Protos.V1.Stats> WaitForCaptureAsync(CaptureClient client, RetryBackoff backoff, CancellationToken stopping)
    {
        var said = false;
        while (true)
        {
            try
            {
                var stats = await client.GetStatsAsync(stopping);
                if (stats.Store is { CaptureId.Length: > 0 })
                {
                    ForwarderLog.CaptureAvailable(_logger, settings.CaptureSocket, stats.Store.CaptureId, stats.Store.CommittedSeq);
                    backoff.Reset();
                    return stats;
                }
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled && !stopping.IsCancellationRequested)
            {
                if (!said) ForwarderLog.CaptureUnavailable(_logger, settings.CaptureSocket, e.Status.Detail);
                said = true;
            }
            await Task.Delay(backoff.Next(), stopping);
        }
    }
}
