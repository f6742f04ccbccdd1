using System.Threading.Channels;
using CanMesh.Client.Decoding;
using CanMesh.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CanMesh.Client;

/// <summary>
/// One Subscribe call of a <see cref="Subscription"/>: the start message, then acks written by one
/// writer task while the subscription reads batches. An ack never exceeds what this stream has
/// sent (the server refuses that), so after a resume from a lower watermark the caller's ack waits
/// until the new stream has caught up to it.
/// </summary>
internal sealed class SubscriptionStream : IAsyncDisposable
{
    private static readonly TimeSpan FinalAckTimeout = TimeSpan.FromSeconds(1);

    private readonly AsyncDuplexStreamingCall<SubscribeRequest, RawFrameBatch> _call;
    private readonly Func<ulong> _wantedAck;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private ulong _through;
    private ulong _sentAck;
    private volatile bool _ended;

    public SubscriptionStream(CallInvoker invoker, SubscribeStart start, Func<ulong> wantedAck, ILogger logger)
    {
        _wantedAck = wantedAck;
        _logger = logger;
        _call = invoker.AsyncDuplexStreamingCall(CaptureMethods.Subscribe, null, new CallOptions(cancellationToken: _stop.Token));
        // Not awaited here: the server answers only after reading `start`, and if the socket cannot be
        // connected the write fails while the read reports UNAVAILABLE; the read side reports it.
        _writer = WriteAsync(start);
    }

    /// <summary>The highest through_seq this stream has sent.</summary>
    public ulong Through => Volatile.Read(ref _through);

    /// <summary>Decodes the next batch into <paramref name="into"/>; false when the server ended the stream with OK. Throws <see cref="RpcException"/>.</summary>
    public async ValueTask<bool> ReadAsync(DecodedFrameBatch into, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                _ended = true;
                return false;
            }
        }
        catch
        {
            _ended = true;
            throw;
        }
        using (var raw = _call.ResponseStream.Current)
        {
            FrameBatchDecoder.Decode(raw.Span, into);
        }
        if (into.ThroughSeq > _through)
        {
            Volatile.Write(ref _through, into.ThroughSeq);
            WakeWriter();
        }
        return true;
    }

    /// <summary>The caller acknowledged more: send it when this stream has reached it.</summary>
    public void WakeWriter() => _wake.Writer.TryWrite(true);

    private async Task WriteAsync(SubscribeStart start)
    {
        try
        {
            await _call.RequestStream.WriteAsync(new SubscribeRequest { Start = start }, _stop.Token).ConfigureAwait(false);
            WakeWriter();
            while (await _wake.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                var ack = Math.Min(_wantedAck(), Through);
                if (ack <= _sentAck) continue;
                await _call.RequestStream.WriteAsync(new SubscribeRequest { Ack = new Ack { Seq = ack } }, _stop.Token).ConfigureAwait(false);
                _sentAck = ack;
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // The call is over; the read side reports how it ended.
            _logger.LogDebug("Subscribe request stream closed: {Message}", e.Message);
        }
    }

    /// <summary>
    /// Ends the call. <paramref name="graceful"/> (no read pending): the last ack is written, the
    /// request side half-closed, and the server's end awaited (at most <see cref="FinalAckTimeout"/>
    /// each), so the service saves the final watermark. Otherwise the call is cancelled at once and the
    /// service keeps the watermark it last saved (about a second old): the next subscriber process
    /// sees those frames again.
    /// </summary>
    public async ValueTask CloseAsync(bool graceful)
    {
        _wake.Writer.TryComplete();
        if (graceful && !_ended)
        {
            try
            {
                await _writer.WaitAsync(FinalAckTimeout).ConfigureAwait(false);
                await _call.RequestStream.CompleteAsync().WaitAsync(FinalAckTimeout).ConfigureAwait(false);
                using var drain = new CancellationTokenSource(FinalAckTimeout);
                while (await _call.ResponseStream.MoveNext(drain.Token).ConfigureAwait(false))
                {
                    _call.ResponseStream.Current.Dispose();
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException or RpcException or OperationCanceledException)
            {
                _logger.LogDebug("Subscribe stream did not end cleanly: {Message}", e.Message);
            }
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _call.Dispose();
        await _writer.ConfigureAwait(false);
        _stop.Dispose();
    }

    public ValueTask DisposeAsync() => CloseAsync(graceful: false);
}
