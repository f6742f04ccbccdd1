using CanMesh.Capture.Configuration;
using Microsoft.Extensions.Hosting;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// Hooks the socket file into the host's start and stop: Starting runs before Kestrel binds (a
/// stale file from a killed process is removed, a live server's never), Started after it has bound
/// (mode and group are set on the file, which exists only then), Stopped after it has closed.
/// A failure here fails the host's start with the message of <see cref="UnixSocketFile"/>.
/// </summary>
internal sealed class UnixSocketLifecycle(ApiSettings api) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        UnixSocketFile.PrepareForListening(api.SocketPath);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        UnixSocketFile.ApplyPermissions(api.SocketPath, UnixSocketFile.ParseMode(api.SocketMode), api.SocketGroup);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        UnixSocketFile.DeleteIfExists(api.SocketPath);
        return Task.CompletedTask;
    }
}
