using Microsoft.Extensions.Hosting;

namespace CanMesh.Rpc.Hosting;

/// <summary>
/// Hooks the socket file into the host's start and stop: Starting runs before Kestrel binds,
/// Started after it has bound (the file exists only then), Stopped after it has closed.
/// A failure here fails the host's start with the message of <see cref="UnixSocketFile"/>.
/// </summary>
internal sealed class UnixSocketLifecycle(UnixSocketListenerOptions options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        UnixSocketFile.PrepareForListening(options.SocketPath);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        UnixSocketFile.ApplyPermissions(options.SocketPath, options.ParseMode(), options.SocketGroup);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        UnixSocketFile.DeleteIfExists(options.SocketPath);
        return Task.CompletedTask;
    }
}
