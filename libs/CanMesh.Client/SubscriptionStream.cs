using System.Threading.Channels;
using CanMesh.Protos.V1;
using CanMesh.Rpc;
using CanMesh.Rpc.Client;
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

    private readonly DuplexStreamingCall<SubscribeRequest, FrameBatch> _call;
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

    public SubscriptionStream(GrpcChannel channel, SubscribeStart start, Func<ulong> wantedAck, ILogger logger)
    {
        _wantedAck = wantedAck;
        _logger = logger;
        _call = channel.DuplexStreaming(CaptureMethods.Subscribe);
        // Not awaited here: the server answers only after reading `start`, and if the socket cannot be
        // connected the write waits for a request body that never comes while the read reports UNAVAILABLE.
        _writer = WriteAsync(start);
    }

    /// <summary>The highest through_seq this stream has sent.</summary>
    public ulong Through => Volatile.Read(ref _through);

    /// <summary>The next batch; null when the server ended the stream with OK. Throws <see cref="RpcException"/>.</summary>
    public async ValueTask<FrameBatch?> ReadAsync(CancellationToken cancellationToken)
    {
        var batch = await _call.ResponseStream.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (batch is not null && batch.ThroughSeq > _through)
        {
            Volatile.Write(ref _through, batch.ThroughSeq);
            WakeWriter();
        }
        return batch;
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
        catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The call is over; the read side reports how it ended.
            _logger.LogDebug("Subscribe request stream closed: {Message}", e.Message);
        }
    }

    /// <summary>
    /// Ends the call. <paramref name="graceful"/> (no read pending): the last ack is written, the
    /// request side half-closed, and the server's end awaited (at most <see cref="FinalAckTimeout"/>
    /// each), so the service saves the final watermark. Otherwise the call is reset at once and the
    /// service keeps the watermark it last saved (about a second old): the next subscriber process
    /// sees those frames again.
    /// </summary>
    public async ValueTask CloseAsync(bool graceful)
    {
        _wake.Writer.TryComplete();
        if (graceful && _call.Status is null)
        {
            try
            {
                await _writer.WaitAsync(FinalAckTimeout).ConfigureAwait(false);
                await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                using var drain = new CancellationTokenSource(FinalAckTimeout);
                while (await _call.ResponseStream.ReadAsync(drain.Token).ConfigureAwait(false) is not null)
                {
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException or RpcException or OperationCanceledException)
            {
                _logger.LogDebug("Subscribe stream did not end cleanly: {Message}", e.Message);
            }
        }
        // A write can wait forever for a request body that a failed connection never opened (the
        // transport does not abort it once the call has a status): our own token ends it.
        await _stop.CancelAsync().ConfigureAwait(false);
        await _call.DisposeAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(false);
        _stop.Dispose();
    }

    public ValueTask DisposeAsync() => CloseAsync(graceful: false);
}
