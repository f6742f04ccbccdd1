using System.Runtime.CompilerServices;
using CanMesh.Client.Decoding;
using CanMesh.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CanMesh.Client;

/// <summary>
/// Committed frames from the capture service, batch by batch, for as long as the caller reads:
/// reconnects with backoff when the service is away, resumes after the server-side watermark, and
/// delivers each seq at most once per subscription. One reader at a time; <see cref="Ack(ulong)"/>
/// from any thread. Read generated <see cref="FrameBatch"/> objects (<see cref="ReadAsync"/>) or,
/// without an allocation per frame, the subscription's own <see cref="DecodedFrameBatch"/>
/// (<see cref="ReadDecodedAsync"/>); both see the same batches.
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
    private readonly DecodedFrameBatch _batch;
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
        _batch = new DecodedFrameBatch(options.MaxBatchFrames > 0 ? options.MaxBatchFrames : 1024);
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
    /// The next batch with something new, as a generated message: frames not delivered before, or a
    /// higher through_seq (a batch may hold no frames when a filter left them all out: acknowledge it
    /// all the same). Waits while caught up and while reconnecting. Cancelling a read ends the current
    /// stream; the next read resumes without loss.
    /// </summary>
    /// <exception cref="RpcException">The service refused the subscription (INVALID_ARGUMENT and other permanent statuses).</exception>
    public async ValueTask<FrameBatch> ReadAsync(CancellationToken cancellationToken = default)
    {
        var batch = await ReadDecodedAsync(cancellationToken).ConfigureAwait(false);
        return ToMessage(batch);
    }

    /// <summary>
    /// The next batch with something new, decoded into this subscription's own
    /// <see cref="DecodedFrameBatch"/>, which the next read refills: use it before reading again. Frames
    /// delivered before a reconnect are already left out. Otherwise as <see cref="ReadAsync"/>.
    /// </summary>
    /// <exception cref="RpcException">The service refused the subscription (INVALID_ARGUMENT and other permanent statuses).</exception>
    public async ValueTask<DecodedFrameBatch> ReadDecodedAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("A subscription has one reader: await the previous read first.");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        try
        {
            while (true)
            {
                var stream = _stream ??= Open();
                bool received;
                try
                {
                    received = await stream.ReadAsync(_batch, linked.Token).ConfigureAwait(false);
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

                if (!received)
                {
                    await ReconnectAfterAsync("the server ended the stream", linked.Token).ConfigureAwait(false);
                    continue;
                }
                _started = true;
                if (_backoff.Failures > 0)
                {
                    _logger.LogInformation("Subscription {Subscriber} to {Socket}: streaming again after {Attempts} reconnect attempt(s).", Subscriber, _client.SocketPath, _backoff.Failures);
                }
                _backoff.Reset();
                if (Accept(_batch)) return _batch;
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

    /// <summary>Acknowledges the whole batch: its through_seq, which covers frames a filter left out.</summary>
    public void Ack(DecodedFrameBatch batch)
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
        return new SubscriptionStream(_client.CallInvoker, start, () => Volatile.Read(ref _wantedAck), _logger);
    }

    private async Task ReconnectAfterAsync(string why, CancellationToken cancellationToken)
    {
        await CloseStreamAsync().ConfigureAwait(false);
        var delay = _backoff.Next();
        // One line when the stream is lost, one more if the service stays away, one when it is back (in Accept):
        // a service down for an hour must not write a line per retry.
        if (_backoff.Failures == 1)
        {
            _logger.LogInformation("Subscription {Subscriber} to {Socket}: stream ended ({Why}); reconnecting with backoff (at most every {MaxDelay} ms), resuming after the stored watermark.",
                Subscriber, _client.SocketPath, why, (long)_options.ReconnectMaxDelay.TotalMilliseconds);
        }
        else if (_backoff.Failures == 5)
        {
            _logger.LogWarning("Subscription {Subscriber} to {Socket}: still no stream after {Attempts} attempts ({Why}); retrying quietly until the service is back.",
                Subscriber, _client.SocketPath, _backoff.Failures, why);
        }
        else
        {
            _logger.LogDebug("Subscription {Subscriber}: reconnect attempt {Attempt} failed ({Why}); next in {Delay} ms.", Subscriber, _backoff.Failures, why, (long)delay.TotalMilliseconds);
        }
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CloseStreamAsync(bool graceful = false)
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is not null) await stream.CloseAsync(graceful).ConfigureAwait(false);
    }

    /// <summary>Bookkeeping of a received batch; false when it holds nothing new for the caller.</summary>
    private bool Accept(DecodedFrameBatch batch)
    {
        foreach (var (id, name) in batch.Interfaces) _interfaces[id] = name;
        if (batch.CaptureId is { Length: > 0 } captureId)
        {
            if (_captureId is not null && _captureId != captureId)
            {
                // Another database: its seqs start over, and so does what was delivered from it.
                _logger.LogWarning("Subscription {Subscriber}: the capture database changed from {Old} to {New}; seqs restart.", Subscriber, _captureId, captureId);
                Volatile.Write(ref _delivered, 0);
                Volatile.Write(ref _wantedAck, 0);
            }
            Volatile.Write(ref _captureId, captureId);
        }
        Volatile.Write(ref _committed, batch.CommittedSeq);

        var delivered = _delivered;
        Interlocked.Add(ref _droppedDuplicates, batch.SkipThrough(delivered));
        var through = Math.Max(batch.ThroughSeq, batch.Count > 0 ? batch.Seqs[^1] : 0);
        if (batch.Count == 0 && through <= delivered) return false;
        Volatile.Write(ref _delivered, Math.Max(delivered, through));
        return true;
    }

    /// <summary>A decoded batch as the generated message (one Frame and one ByteString per frame).</summary>
    private static FrameBatch ToMessage(DecodedFrameBatch batch)
    {
        var message = new FrameBatch
        {
            CommittedSeq = batch.CommittedSeq,
            ThroughSeq = batch.ThroughSeq,
            CaptureId = batch.CaptureId ?? "",
        };
        foreach (var (id, name) in batch.Interfaces) message.Interfaces.Add(new InterfaceName { Id = id, Name = name });
        var frames = batch.Frames;
        var seqs = batch.Seqs;
        for (var i = 0; i < frames.Length; i++)
        {
            ref readonly var frame = ref frames[i];
            message.Frames.Add(new Frame
            {
                Seq = seqs[i],
                TimestampNs = frame.TimestampNs,
                InterfaceId = frame.InterfaceId,
                CanId = frame.Id,
                Flags = (uint)frame.Flags,
                Data = frame.IsRemote ? ByteString.Empty : ByteString.CopyFrom(frame.ReadOnlyData),
                Length = frame.IsRemote ? frame.Length : 0u,
                Len8Dlc = frame.Len8Dlc,
            });
        }
        return message;
    }
}
