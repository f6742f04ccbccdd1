using CanMesh.Client;
using CanMesh.Flipper.Hosting;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CanMesh.Flipper.Status;

/// <summary>
/// A live subscription that keeps nothing back (Retain=false) and acknowledges every batch as it arrives, so the
/// capture's stats list this service as a connected subscriber keeping up. The subscription reconnects by itself
/// across capture restarts; a refusal (a bad name, another process under the same name) is retried after a delay.
/// </summary>
internal sealed class LiveSubscriber(CaptureClient client, string subscriber, TimeSpan retryDelay, ILogger logger)
{
    private long _frames;
    private StatusCode? _refusedWith;

    /// <summary>Frames received and acknowledged since the start.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var subscription = client.Subscribe(new SubscriptionOptions
                {
                    Subscriber = subscriber,
                    From = SubscriptionStart.Live,
                    Retain = false,
                    ReconnectMaxDelay = retryDelay * 2,
                });
                while (true)
                {
                    var batch = await subscription.ReadDecodedAsync(stopping);
                    _refusedWith = null;
                    Interlocked.Add(ref _frames, batch.Frames.Length);
                    subscription.Ack(batch);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stopping.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e)
            {
                // Once per kind of refusal, not once per retry (another process holding the same name refuses every time).
                if (e.StatusCode != _refusedWith) FlipperLog.SubscriptionRefused(logger, subscriber, e.StatusCode.ToString(), e.Status.Detail);
                _refusedWith = e.StatusCode;
            }
            try
            {
                await Task.Delay(retryDelay, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
