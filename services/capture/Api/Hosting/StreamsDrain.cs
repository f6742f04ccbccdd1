using Microsoft.Extensions.Hosting;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// Holds the host's stop until the open streams (ended by <see cref="ShutdownInterceptor"/> when the
/// stop began) have sent their UNAVAILABLE, before any service stops: Kestrel's graceful stop closes a
/// connection as soon as its last stream completes, and a client still reading the final frames of a
/// duplex stream then sees a dropped connection (INTERNAL) instead of the status. It also lets
/// subscribers' last watermarks reach the capture's final commit.
/// </summary>
internal sealed class StreamsDrain(OpenStreams streams) : IHostedLifecycleService
{
    /// <summary>A handler that ignores its cancellation token is abandoned by the interceptor after its grace; this bounds the rest.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    public async Task StoppingAsync(CancellationToken cancellationToken) =>
        await streams.WhenNoneAsync().WaitAsync(Limit, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
