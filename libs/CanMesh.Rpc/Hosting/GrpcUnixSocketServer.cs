using CanMesh.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CanMesh.Rpc.Hosting;

/// <summary>
/// A started gRPC server on its own minimal WebApplication: for tools, tests and services that do
/// not need to share their host. Services that do use <see cref="GrpcHostingExtensions"/> directly.
/// </summary>
public sealed class GrpcUnixSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcUnixSocketServer(WebApplication app, string socketPath, int? tcpPort)
    {
        _app = app;
        SocketPath = socketPath;
        TcpPort = tcpPort;
    }

    public string SocketPath { get; }

    /// <summary>The bound loopback port (the real one when 0 was asked for), or null.</summary>
    public int? TcpPort { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="configure">Last say over the builder: logging, extra services, Kestrel limits.</param>
    public static async Task<GrpcUnixSocketServer> StartAsync(
        UnixSocketListenerOptions listener,
        GrpcServiceRegistry registry,
        Action<WebApplicationBuilder>? configure = null,
        Action<GrpcServerOptions>? configureServer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.AddGrpcUnixSocket(listener, configureServer);
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        app.MapGrpc(registry);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new GrpcUnixSocketServer(app, Path.GetFullPath(listener.SocketPath), listener.LoopbackTcpPort is null ? null : FindTcpPort(app));
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static int? FindTcpPort(WebApplication app)
    {
        ICollection<string>? addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (string address in addresses ?? [])
        {
            if (address.StartsWith("http://127.0.0.1:", StringComparison.Ordinal) && Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
            {
                return uri.Port;
            }
        }

        return null;
    }
}
