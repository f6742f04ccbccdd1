using CanMesh.Capture.Api.Hosting;
using CanMesh.Protos.V1;
using Grpc.Core;
using CanMesh.Store;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Api;

/// <summary>
/// One Subscribe call: reads committed frames from the journal after the subscriber's starting point
/// and streams them, waiting for new commits when it has caught up; takes acks from the same stream
/// and persists the subscriber's watermark (staged as each ack arrives, so stats and retention see it at once
/// and the writer's next transaction stores it; durably when the call ends).
/// </summary>
/// <remarks>
/// Frames always come from SQLite, never from a copy in memory: only committed frames exist there
/// (ARCHITECTURE.md invariant 1), and a slow subscriber costs one batch buffer, because the send loop reads
/// the next batch only after HTTP/2 flow control accepted the previous one. Recently committed pages
/// are in SQLite's page cache, so a live subscriber reads from memory anyway.
/// </remarks>
internal sealed class SubscriptionSession
{
    public const int DefaultBatchFrames = 1024;
    public const int MaxBatchFrames = 16_384;
    public static readonly TimeSpan WatermarkSaveInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan FinalAckWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FinalAckPoll = TimeSpan.FromMilliseconds(10);

    private readonly FrameJournal _journal;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _acked = -1;
    private long _savedAck = -1;
    private long _sentThrough;

    public SubscriptionSession(FrameJournal journal, ILogger logger, TimeProvider time)
    {
        _journal = journal;
        _logger = logger;
        _time = time;
    }

    public async Task RunAsync(IAsyncStreamReader<SubscribeRequest> requests, IServerStreamWriter<EncodedFrameBatch> responses, ServerCallContext context)
    {
        var first = await requests.ReadNextAsync(context.CancellationToken).ConfigureAwait(false);
        if (first?.Start is not { } start)
        {
            throw ApiErrors.InvalidArgument("The first message of Subscribe must be `start` (SubscribeStart), naming the subscriber.");
        }
        var name = start.Subscriber;
        SubscriberNames.ThrowIfInvalid(name, "start.subscriber");
        var batchFrames = start.MaxBatchFrames == 0 ? DefaultBatchFrames : (int)Math.Min(start.MaxBatchFrames, int.MaxValue);
        if (batchFrames > MaxBatchFrames)
        {
            throw ApiErrors.InvalidArgument($"start.max_batch_frames {start.MaxBatchFrames} is above the limit of {MaxBatchFrames}.");
        }
        var matcher = FrameMatcher.Create(start.Filter, _journal.Interfaces);
        // Attached (connected, in the stats) before the watermark is read: the subscriber cannot be forgotten or
        // removed while its stream is open, and one removed just before starts from scratch, not from the old row.
        using var attached = _journal.Subscribers.Attach(name);
        var startAfter = StartAfter(start, name);
        _acked = _journal.Subscribers.Find(name)?.AckedSeq ?? -1;
        // Register (or update) the subscriber now, so a retaining one holds back retention from this moment.
        // Durable before the first frame is sent: a retaining subscriber holds back retention from here on.
        _journal.Subscribers.Save(name, Math.Max(_acked, start.FromCase == SubscribeStart.FromOneofCase.Resume ? 0 : startAfter), start.Retain, NowNs(),
            waitDurable: true);
        _acked = _savedAck = _journal.Subscribers.Find(name)!.AckedSeq;
        _logger.LogInformation("Subscriber {Name} connected: from seq {From} ({Mode}), retain={Retain}, filter={Filter}.",
            name, startAfter + 1, start.FromCase.ToString().ToLowerInvariant(), start.Retain, matcher.MatchesAll ? "none" : start.Filter.ToString());

        // Sending ends when the call ends, the service stops, or the ack reader says so (half-close, a bad
        // message). Acks are read until the call itself ends, so those sent during a stop still count.
        var callToken = CallCancellation.ForWrites(context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        using var stopAcks = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        var acks = ReadAcksAsync(requests, name, _journal.Subscribers.Find(name)?.Retains ?? start.Retain, stop, stopAcks.Token);
        try
        {
            await SendAsync(responses, startAfter, batchFrames, matcher, name, stop.Token, callToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // The ack reader ended the call: with an error to report, or because the client half-closed
            // its side, which ends the subscription cleanly (after its last ack is saved below). Not
            // `acks.IsFaulted`: the reader cancels `stop` before its task faults, so that raced into INTERNAL.
        }
        catch (OperationCanceledException) when (!callToken.IsCancellationRequested)
        {
            // The service is stopping: let the subscriber catch up (see below), then end with UNAVAILABLE.
            var waited = await WaitForFinalAcksAsync(callToken).ConfigureAwait(false);
            _logger.LogInformation("Subscriber {Name}: the service is stopping; waited {Waited} ms for its acks (acked {Acked} of {Sent} sent).",
                name, (long)waited.TotalMilliseconds, Volatile.Read(ref _acked), Volatile.Read(ref _sentThrough));
            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await stopAcks.CancelAsync().ConfigureAwait(false);
            SaveWatermark(name, start.Retain, force: true);
            _logger.LogInformation("Subscriber {Name} disconnected at acked seq {Acked}.", name, Volatile.Read(ref _acked));
        }
        await acks.ConfigureAwait(false);
    }

    /// <summary>
    /// On a stop, waits (at most <see cref="FinalAckWait"/>) until the subscriber has acknowledged what this
    /// stream sent. A subscriber behind by the megabytes HTTP/2 flow control lets it buffer would otherwise
    /// still be reading them when Kestrel closes the connection, and HttpClient drops the rest of the
    /// stream, status included: the client would see a broken connection instead of UNAVAILABLE, and its
    /// last acks would not be stored. Subscribers that do not ack wait the full time.
    /// </summary>
    private async Task<TimeSpan> WaitForFinalAcksAsync(CancellationToken callToken)
    {
        var started = _time.GetTimestamp();
        while (Volatile.Read(ref _acked) < Volatile.Read(ref _sentThrough) && _time.GetElapsedTime(started) < FinalAckWait && !callToken.IsCancellationRequested)
        {
            await Task.Delay(FinalAckPoll, _time, CancellationToken.None).ConfigureAwait(false);
        }
        return _time.GetElapsedTime(started);
    }

    private long StartAfter(SubscribeStart start, string name) => start.FromCase switch
    {
        SubscribeStart.FromOneofCase.AfterSeq => (long)Math.Min(start.AfterSeq, long.MaxValue),
        SubscribeStart.FromOneofCase.Live => _journal.CommittedSeq,
        // Resume (also the default): right after what this subscriber acknowledged, or from the start.
        _ => _journal.Subscribers.Find(name)?.AckedSeq ?? 0,
    };

    /// <param name="cancellationToken">Ends the loop: the call ended, the client half-closed, or sent something invalid.</param>
    /// <param name="writeCancellationToken">
    /// The call's own token, for writes only: cancelling a write in flight makes Kestrel reset the stream
    /// (INTERNAL_ERROR), which would hide the status the call is about to end with.
    /// </param>
    private async Task SendAsync(IServerStreamWriter<EncodedFrameBatch> responses, long startAfter, int batchFrames,
        FrameMatcher matcher, string name, CancellationToken cancellationToken, CancellationToken writeCancellationToken)
    {
        await using var reader = new PrefetchingFrameReader(_journal, batchFrames);
        var builder = new BatchBuilder(matcher, _journal.Interfaces, batchFrames);
        var next = startAfter + 1;
        var firstBatch = true;
        var lastSent = _time.GetTimestamp();
        var retain = _journal.Subscribers.Find(name)?.Retains ?? false;

        while (!cancellationToken.IsCancellationRequested)
        {
            var committed = _journal.CommittedSeq;
            // Frames retention evicted are gone: continue at the oldest stored; the subscriber sees the gap in seqs.
            if (next < _journal.FirstSeq) next = _journal.FirstSeq;
            if (next <= committed)
            {
                var n = await reader.ReadAsync(next, committed).ConfigureAwait(false);
                if (n == 0)
                {
                    next = Math.Max(next, _journal.FirstSeq);
                    continue;
                }
                builder.Fill(reader.Frames(n), reader.Seqs(n));
                next = reader.Seqs(n)[n - 1] + 1;
                // The batch holds copies now: read the next one while this one is sent.
                reader.Prefetch(next, _journal.CommittedSeq);
                if (builder.Batch.Count == 0 && !firstBatch && _time.GetElapsedTime(lastSent) < HeartbeatInterval) continue;
                await WriteAsync(responses, builder.Batch, committed, next - 1, firstBatch, writeCancellationToken).ConfigureAwait(false);
                firstBatch = false;
                lastSent = _time.GetTimestamp();
                SaveWatermark(name, retain, force: false);
                continue;
            }

            // Caught up: wait for the next commit, sending a heartbeat now and then so the client knows the
            // stream is alive and how far the capture has committed.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(HeartbeatInterval);
            try
            {
                await _journal.Commits.WaitBeyondAsync(committed, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                builder.Batch.Clear();
                await WriteAsync(responses, builder.Batch, committed, next - 1, firstBatch, writeCancellationToken).ConfigureAwait(false);
                firstBatch = false;
                lastSent = _time.GetTimestamp();
            }
            SaveWatermark(name, retain, force: false);
        }
    }

    private async Task WriteAsync(IServerStreamWriter<EncodedFrameBatch> responses, EncodedFrameBatch batch, long committed, long through,
        bool firstBatch, CancellationToken cancellationToken)
    {
        batch.CommittedSeq = committed;
        batch.ThroughSeq = through;
        if (firstBatch) batch.CaptureId = _journal.CaptureId.ToString("D");
        Volatile.Write(ref _sentThrough, through);
        await responses.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="stop">Cancelled here when the client half-closes or sends something invalid: ends the sending.</param>
    /// <param name="stopReading">Ends the reading: the call is over.</param>
    private async Task ReadAcksAsync(IAsyncStreamReader<SubscribeRequest> requests, string name, bool retain, CancellationTokenSource stop,
        CancellationToken stopReading)
    {
        try
        {
            while (await requests.ReadNextAsync(stopReading).ConfigureAwait(false) is { } request)
            {
                if (request.KindCase != SubscribeRequest.KindOneofCase.Ack)
                {
                    throw ApiErrors.InvalidArgument("After `start`, Subscribe takes only `ack` messages.");
                }
                var seq = (long)Math.Min(request.Ack.Seq, long.MaxValue);
                var sent = Volatile.Read(ref _sentThrough);
                if (seq > sent)
                {
                    throw ApiErrors.InvalidArgument($"ack {request.Ack.Seq} is beyond what this stream has sent (through seq {sent}).");
                }
                // Watermarks never move backwards.
                long current;
                while (seq > (current = Volatile.Read(ref _acked)) && Interlocked.CompareExchange(ref _acked, seq, current) != current)
                {
                }
                // Staged here too, not only by the sending loop: a client that stops reading (PostgreSQL away, a
                // busy consumer) blocks that loop in a write, and its last acks would otherwise reach neither the
                // stats nor retention until it reads again. Unthrottled: staging is an in-memory merge that rides
                // the writer's next transaction, and a throttled ack with none after it would never be saved.
                SaveWatermark(name, retain, force: false, throttle: false);
            }
            // The client half-closed: no more acks will come, and none that came is lost by a cancel.
            await stop.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
        {
        }
        catch (RpcException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private readonly Lock _saveLock = new();
    private long _lastSaveTicks;

    /// <summary>
    /// Persists the subscriber's ack: from the sending loop at most once per <see cref="WatermarkSaveInterval"/>,
    /// from the ack reader (<paramref name="throttle"/> false) for every ack that moves it; with <paramref name="force"/> (the stream is ending) at once, waiting until it is committed, so the
    /// client sees the call end only after its last ack is durable.
    /// </summary>
    /// <remarks>Called by the sending loop and the ack reader; the store keeps the highest watermark staged.</remarks>
    private void SaveWatermark(string name, bool retain, bool force, bool throttle = true)
    {
        var acked = Volatile.Read(ref _acked);
        if (force)
        {
            // Outside the lock: the wait for the commit must not hold up the other caller.
            _journal.Subscribers.Save(name, Math.Max(acked, 0), retain, NowNs(), waitDurable: true);
            lock (_saveLock) _savedAck = Math.Max(_savedAck, acked);
            return;
        }
        lock (_saveLock)
        {
            if (acked <= _savedAck || (throttle && _time.GetElapsedTime(_lastSaveTicks) < WatermarkSaveInterval)) return;
            _journal.Subscribers.Save(name, acked, retain, NowNs());
            _savedAck = acked;
            _lastSaveTicks = _time.GetTimestamp();
        }
    }

    private long NowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
}
