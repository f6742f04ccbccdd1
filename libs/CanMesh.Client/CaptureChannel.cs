using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace CanMesh.Client;

/// <summary>
/// A Grpc.Net.Client channel to a capture service's Unix socket: HTTP/2 without TLS, the socket path
/// in every connection error. Use it with the generated <c>Capture.CaptureClient</c>, or let
/// <see cref="CaptureClient"/> make one.
/// </summary>
public static class CaptureChannel
{
    /// <param name="configureHandler">Last say over the HTTP handler (window sizes, keep-alive pings).</param>
    /// <param name="loggerFactory">Where Grpc.Net.Client logs its calls (debug and trace level); null for nowhere.</param>
    public static GrpcChannel ForUnixSocket(string socketPath, Action<SocketsHttpHandler>? configureHandler = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        var endpoint = new UnixDomainSocketEndPoint(Path.GetFullPath(socketPath));
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, cancellationToken) => ConnectAsync(endpoint, socketPath, cancellationToken),
            // Streams live for hours: no idle timeout on a connection that carries one.
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };
        configureHandler?.Invoke(handler);
        // The authority is ignored on a Unix socket; "localhost" keeps HTTP/2's :authority valid.
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 16 << 20,
            LoggerFactory = loggerFactory,
        });
    }

    private static async ValueTask<Stream> ConnectAsync(UnixDomainSocketEndPoint endpoint, string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            // Without this the error names "localhost:80", which tells a user nothing.
            var hint = e.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.ConnectionRefused => "is the capture service running?",
                SocketError.AccessDenied => "run as a member of the socket's group (Api:SocketGroup) or with sudo",
                _ => "check Api:SocketPath of the capture service",
            };
            throw new IOException($"Cannot connect to the capture service at {socketPath}: {e.Message} ({hint}).", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
