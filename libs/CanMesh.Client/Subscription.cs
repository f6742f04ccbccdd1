using System.Runtime.CompilerServices;
using CanMesh.Protos.V1;
using CanMesh.Rpc;
using Microsoft.Extensions.Logging;

namespace CanMesh.Client;

/// <summary>
/// Committed frames from the capture service, batch by batch, for as long as the caller reads:
/// reconnects with backoff when the service is away, resumes after the server-side watermark, and
/// delivers each seq at most once per subscription. One reader at a time; <see cref="Ack(ulong)"/>
/// from any thread.
/// </summary>
/// <remarks>
/// <para>The first stream starts at <see cref="SubscriptionOptions.From"/>; every later one resumes
/// right after the watermark the service stored for the subscriber. That watermark may be lower than
/// what this subscription delivered (it is saved about once a second, and acks in flight are lost
/// with a connection), so frames with a seq at or below the last delivered through_seq are dropped:
/// no gap, and no frame twice. A new process of the caller starts from the stored watermark and may
/// see again what it did not acknowledge: acknowledge only what is done.</para>
/// <para>UNAVAILABLE, connection failures, a reset stream and a stream the server ended are
/// retried (<see cref="TransientErrors"/>); any other status is thrown from the read.</para>
/// </remarks>
public sealed class Subscription : IAsyncDisposable
{
    private readonly CaptureClient _client;
    private readonly SubscriptionOptions _options;
    private readonly ReconnectBackoff _backoff;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing;
    private readonly Dictionary<uint, string> _interfaces = [];
    private SubscriptionStream? _stream;
    private bool _started;
    private int _reading;
    private ulong _delivered;
    private ulong _wantedAck;
    private ulong _committed;
    private string? _captureId;
    private long _droppedDuplicates;
    private int _streams;

    internal Subscription(CaptureClient client, SubscriptionOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Subscriber, nameof(options.Subscriber));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBatchFrames, nameof(options.MaxBatchFrames));
        _client = client;
        _options = options;
        _backoff = new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay);
        _logger = client.Logger;
        _disposing = CancellationTokenSource.CreateLinkedTokenSource(client.Disposing);
    }

    public string Subscriber => _options.Subscriber;

    /// <summary>The through_seq of the last batch delivered: every seq up to it has been delivered or filtered out.</summary>
    public ulong DeliveredSeq => Volatile.Read(ref _delivered);

    /// <summary>The highest seq acknowledged with <see cref="Ack(ulong)"/>; sent to the service as soon as a stream can take it.</summary>
    public ulong AckedSeq => Volatile.Read(ref _wantedAck);

    /// <summary>The capture's committed seq when the last batch was sent: <c>CommittedSeq - DeliveredSeq</c> is the lag.</summary>
    public ulong CommittedSeq => Volatile.Read(ref _committed);

    /// <summary>The capture database's id (a UUID), once the first batch has arrived.</summary>
    public string? CaptureId => Volatile.Read(ref _captureId);

    /// <summary>Interface names by FrameBatch interface id, as announced so far (also for batches dropped as already delivered).</summary>
    public IReadOnlyDictionary<uint, string> Interfaces => _interfaces;

    /// <summary>Streams opened after the first one.</summary>
    public int Reconnects => Math.Max(0, Volatile.Read(ref _streams) - 1);

    /// <summary>Frames received again after a reconnect and not delivered (tests look at this).</summary>
    internal long DroppedDuplicates => Interlocked.Read(ref _droppedDuplicates);

    /// <summary>
    /// The next batch with something new: frames not delivered before, or a higher through_seq (a
    /// batch may hold no frames when a filter left them all out: acknowledge it all the same). Waits
    /// while caught up and while reconnecting. Cancelling a read ends the current stream; the next
    /// read resumes without loss.
    /// </summary>
    /// <exception cref="RpcException">The service refused the subscription (INVALID_ARGUMENT and other permanent statuses).</exception>
    public async ValueTask<FrameBatch> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("A subscription has one reader: await the previous ReadAsync first.");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        try
        {
            while (true)
            {
                var stream = _stream ??= Open();
                FrameBatch? batch;
                try
                {
                    batch = await stream.ReadAsync(linked.Token).ConfigureAwait(false);
                }
                catch (RpcException e) when (!linked.IsCancellationRequested && TransientErrors.IsTransient(e.StatusCode))
                {
                    await ReconnectAfterAsync(e.Status.ToString(), linked.Token).ConfigureAwait(false);
                    continue;
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException)
                {
                    await CloseStreamAsync().ConfigureAwait(false);
                    linked.Token.ThrowIfCancellationRequested();
                    throw;
                }

                if (batch is null)
                {
                    await ReconnectAfterAsync("the server ended the stream", linked.Token).ConfigureAwait(false);
                    continue;
                }
                _started = true;
                _backoff.Reset();
                if (Accept(batch)) return batch;
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(Subscription), "The subscription (or its CaptureClient) was disposed while reading.");
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Every batch, until cancelled or a permanent error.</summary>
    public async IAsyncEnumerable<FrameBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            yield return await ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>"Everything up to <paramref name="seq"/> is done." Never moves the watermark backwards.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seq"/> is beyond <see cref="DeliveredSeq"/>.</exception>
    public void Ack(ulong seq)
    {
        var delivered = DeliveredSeq;
        if (seq > delivered)
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, $"Cannot acknowledge seq {seq}: this subscription has delivered through seq {delivered}.");
        }
        ulong current;
        while (seq > (current = Volatile.Read(ref _wantedAck)) && Interlocked.CompareExchange(ref _wantedAck, seq, current) != current)
        {
        }
        Volatile.Read(ref _stream)?.WakeWriter();
    }

    /// <summary>Acknowledges the whole batch: its through_seq, which covers frames a filter left out.</summary>
    public void Ack(FrameBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Ack(batch.ThroughSeq);
    }

    /// <summary>
    /// Ends the subscription. With no read pending, the last ack is sent and the stream half-closed, so
    /// the service saves the watermark; a read pending meanwhile ends with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested) return;
        await _disposing.CancelAsync().ConfigureAwait(false);
        // A pending read ends on the token and resets the stream itself; otherwise end it cleanly here,
        // so the service saves the last ack.
        if (Volatile.Read(ref _reading) == 0) await CloseStreamAsync(graceful: true).ConfigureAwait(false);
        _disposing.Dispose();
    }

    private SubscriptionStream Open()
    {
        var start = new SubscribeStart
        {
            Subscriber = _options.Subscriber,
            Retain = _options.Retain,
            MaxBatchFrames = (uint)_options.MaxBatchFrames,
        };
        if (_options.Filter is { } filter) start.Filter = filter;
        // Until the service has answered once, it may not have registered the subscriber: keep asking for From.
        var from = _started ? SubscriptionStart.Resume : _options.From;
        from.ApplyTo(start);
        var streams = Interlocked.Increment(ref _streams);
        _logger.LogDebug("Subscription {Subscriber}: opening stream {Stream} on {Socket} ({From}).", Subscriber, streams, _client.SocketPath, from);
        return new SubscriptionStream(_client.Channel, start, () => Volatile.Read(ref _wantedAck), _logger);
    }

    private async Task ReconnectAfterAsync(string why, CancellationToken cancellationToken)
    {
        await CloseStreamAsync().ConfigureAwait(false);
        var delay = _backoff.Next();
        var level = _backoff.Failures > 3 ? LogLevel.Warning : LogLevel.Information;
        _logger.Log(level, "Subscription {Subscriber} to {Socket}: stream ended ({Why}); reconnecting in {Delay} ms (attempt {Attempt}), resuming after the stored watermark.",
            Subscriber, _client.SocketPath, why, (long)delay.TotalMilliseconds, _backoff.Failures);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CloseStreamAsync(bool graceful = false)
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is not null) await stream.CloseAsync(graceful).ConfigureAwait(false);
    }

    /// <summary>Bookkeeping of a received batch; false when it holds nothing new for the caller.</summary>
    private bool Accept(FrameBatch batch)
    {
        foreach (var name in batch.Interfaces) _interfaces[name.Id] = name.Name;
        if (batch.CaptureId.Length > 0)
        {
            if (_captureId is not null && _captureId != batch.CaptureId)
            {
                // Another database: its seqs start over, and so does what was delivered from it.
                _logger.LogWarning("Subscription {Subscriber}: the capture database changed from {Old} to {New}; seqs restart.", Subscriber, _captureId, batch.CaptureId);
                Volatile.Write(ref _delivered, 0);
                Volatile.Write(ref _wantedAck, 0);
            }
            Volatile.Write(ref _captureId, batch.CaptureId);
        }
        Volatile.Write(ref _committed, batch.CommittedSeq);

        var delivered = _delivered;
        var frames = batch.Frames;
        if (frames.Count > 0 && frames[0].Seq <= delivered)
        {
            var keep = frames.Where(f => f.Seq > delivered).ToList();
            Interlocked.Add(ref _droppedDuplicates, frames.Count - keep.Count);
            frames.Clear();
            frames.AddRange(keep);
        }
        var through = Math.Max(batch.ThroughSeq, frames.Count > 0 ? frames[^1].Seq : 0);
        if (frames.Count == 0 && through <= delivered) return false;
        Volatile.Write(ref _delivered, Math.Max(delivered, through));
        return true;
    }
}
