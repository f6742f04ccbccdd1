using System.Net;
using CanMesh.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanMesh.Rpc.Hosting;

/// <summary>
/// Two calls make a WebApplication a gRPC server on a Unix socket:
/// <c>builder.AddGrpcUnixSocket(listener)</c> before Build, <c>app.MapGrpc(registry)</c> after.
/// </summary>
public static class GrpcHostingExtensions
{
    public static WebApplicationBuilder AddGrpcUnixSocket(this WebApplicationBuilder builder, UnixSocketListenerOptions listener, Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        listener.Validate();
        var serverOptions = new GrpcServerOptions();
        configure?.Invoke(serverOptions);

        builder.Services.AddSingleton(serverOptions);
        // Not AddHostedService<T>: it registers a type once, and an app may listen on several sockets.
        builder.Services.AddSingleton<IHostedService>(new UnixSocketLifecycle(listener));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // h2c with prior knowledge: no TLS, no HTTP/1.1 upgrade dance, which gRPC clients never do.
            kestrel.ListenUnixSocket(Path.GetFullPath(listener.SocketPath), o => o.Protocols = HttpProtocols.Http2);
            if (listener.LoopbackTcpPort is { } port)
            {
                kestrel.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
            }
        });
        return builder;
    }

    /// <summary>Answers every request with the gRPC dispatcher (a terminal delegate: nothing runs after it).</summary>
    public static WebApplication MapGrpc(this WebApplication app, GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        IServiceProvider services = app.Services;
        var dispatcher = new GrpcDispatcher(
            registry,
            services.GetService<GrpcServerOptions>() ?? new GrpcServerOptions(),
            services.GetRequiredService<ILogger<GrpcDispatcher>>(),
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        app.Run(dispatcher.HandleAsync);
        return app;
    }
}
