using CanMesh.Rpc.Client;
using CanMesh.Rpc.Health;
using CanMesh.Rpc.Hosting;
using CanMesh.Rpc.Reflection;
using CanMesh.Rpc.Server;
using Microsoft.Extensions.Logging;

namespace CanMesh.Rpc.Tests.Infrastructure;

/// <summary>A real Kestrel server on a real Unix socket in a temp dir, with the echo, health and reflection services, and a client channel to it.</summary>
public sealed class RpcTestServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private GrpcUnixSocketServer? _server;
    private GrpcChannel? _channel;

    internal EchoService Echo { get; } = new();

    public HealthService Health { get; } = new();

    internal CapturingLoggerProvider Logs { get; } = new();

    public string SocketPath => _directory.File("rpc.sock");

    public GrpcUnixSocketServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var registry = new GrpcServiceRegistry();
        Echo.Register(registry);
        Health.Register(registry);
        ReflectionService.Register(registry);
        _server = await GrpcUnixSocketServer.StartAsync(
            new UnixSocketListenerOptions { SocketPath = SocketPath, SocketMode = "0660" },
            registry,
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(Logs);
            },
            options => options.MaxReceiveMessageSize = 64 * 1024);
        _channel = GrpcChannel.ForUnixSocket(SocketPath);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _directory.Dispose();
    }
}
