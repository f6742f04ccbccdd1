using System.Net;
using CanMesh.Capture.Api.Health;
using CanMesh.Capture.Configuration;
using CanMesh.Protos.V1;
using Grpc.AspNetCore.Server.Model;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// The capture's gRPC server in two calls: <see cref="AddCaptureApi"/> before Build,
/// <see cref="MapCaptureApi"/> after. Grpc.AspNetCore on Kestrel, HTTP/2 without TLS on the Unix
/// socket (and on a loopback TCP port for development); canmesh.v1.Capture, grpc.health.v1 and
/// server reflection (v1 and v1alpha).
/// </summary>
internal static class CaptureApiHosting
{
    /// <summary>The services reflection lists, with their files: canmesh.v1.Capture and the two it serves beside it.</summary>
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor[] ReflectedServices =
    [
        Protos.V1.Capture.Descriptor,
        Grpc.Health.V1.Health.Descriptor,
        Grpc.Reflection.V1.ServerReflection.Descriptor,
        Grpc.Reflection.V1Alpha.ServerReflection.Descriptor,
    ];

    public static WebApplicationBuilder AddCaptureApi(this WebApplicationBuilder builder, ApiSettings api)
    {
        var services = builder.Services;
        services.AddSingleton<OpenStreams>();
        services.AddSingleton<ShutdownInterceptor>();
        services.AddSingleton<IHostedService, StreamsDrain>();
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ShutdownInterceptor>();
            // Requests are small (a start, acks, a range); a 1 MiB cap refuses a runaway client early.
            options.MaxReceiveMessageSize = 1 << 20;
            // Subscribe batches are at most 16,384 frames of 64 bytes (plus framing).
            options.MaxSendMessageSize = 4 << 20;
        });
        services.AddSingleton<CaptureApi>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<CaptureApi>, CaptureMethodProvider>());

        services.AddSingleton<HealthServiceImpl>();
        services.AddHostedService<CaptureHealthMonitor>();
        // Registered explicitly: AddGrpcReflection would only see services bound by generated code,
        // and canmesh.v1.Capture is registered by CaptureMethodProvider.
        services.AddSingleton(new ReflectionServiceImpl(ReflectedServices));
        services.AddSingleton(new ReflectionV1ServiceImpl(ReflectedServices));

        // Not AddHostedService<T>: the socket's lifecycle must run around Kestrel's bind (IHostedLifecycleService).
        services.AddSingleton<IHostedService>(new UnixSocketLifecycle(api));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // h2c with prior knowledge: no TLS, no HTTP/1.1 upgrade, which gRPC clients never do.
            kestrel.ListenUnixSocket(Path.GetFullPath(api.SocketPath), o => o.Protocols = HttpProtocols.Http2);
            if (api.TcpPort is { } port)
            {
                kestrel.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
            }
        });
        return builder;
    }

    public static WebApplication MapCaptureApi(this WebApplication app)
    {
        app.MapGrpcService<CaptureApi>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcService<ReflectionServiceImpl>();
        app.MapGrpcService<ReflectionV1ServiceImpl>();
        return app;
    }
}
