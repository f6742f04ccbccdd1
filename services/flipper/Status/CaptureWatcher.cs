using CanMesh.Client;
using CanMesh.Flipper.Hosting;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace CanMesh.Flipper.Status;

/// <summary>
/// Follows the capture service's WatchStats stream and keeps <see cref="Current"/> up to date; when the service
/// does not answer, keeps the last known numbers marked down, and tries again every reopen delay. One log line
/// per change between up and down.
/// </summary>
internal sealed class CaptureWatcher(CaptureClient client, string forwarderSubscriber, TimeSpan interval, TimeSpan retryDelay, ILogger logger)
{
    private volatile CaptureStatus _current = CaptureStatus.Unknown;
    private bool? _wasUp;

    /// <summary>The latest status; <see cref="CaptureStatus.Unknown"/> (down, zeros) until the service first answers.</summary>
    public CaptureStatus Current => _current;

    /// <summary>The first part of a transport error: the client's details repeat themselves through nested exceptions.</summary>
    private static string Shorten(string detail)
    {
        const int Max = 200;
        var text = detail.ReplaceLineEndings(" ");
        return text.Length <= Max ? text : text[..Max] + "...";
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            string reason;
            // A capture that hangs (stopped, or its API stuck) keeps the stream open without sending: the stream
            // counts as lost when a few intervals pass without stats.
            var silence = interval * 3 + TimeSpan.FromSeconds(5);
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            quiet.CancelAfter(silence);
            try
            {
                await foreach (var stats in client.WatchStatsAsync(interval, quiet.Token))
                {
                    quiet.CancelAfter(silence);
                    _current = CaptureStatus.From(stats, forwarderSubscriber);
                    if (_wasUp != true) FlipperLog.CaptureUp(logger, client.SocketPath, stats.Store?.CaptureId ?? "", stats.Store?.CommittedSeq ?? 0);
                    _wasUp = true;
                }
                reason = "the stats stream ended (the service is stopping)";
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded } && quiet.IsCancellationRequested)
            {
                reason = $"no stats for {silence.TotalSeconds:0} s";
            }
            catch (RpcException e)
            {
                reason = $"{e.StatusCode}: {Shorten(e.Status.Detail)}";
            }
            _current = _current.Down();
            if (_wasUp != false) FlipperLog.CaptureDown(logger, client.SocketPath, reason);
            _wasUp = false;
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
