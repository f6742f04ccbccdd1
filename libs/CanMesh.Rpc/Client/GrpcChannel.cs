using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace CanMesh.Rpc.Client;

/// <summary>
/// A connection pool to one gRPC server over HTTP/2 without TLS (prior knowledge): a Unix socket, or
/// a loopback TCP port. Thread-safe; create one per server and share it, as calls multiplex on it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private GrpcChannel(HttpClient http, GrpcChannelOptions options)
    {
        Http = http;
        Options = options;
    }

    internal HttpClient Http { get; }

    internal GrpcChannelOptions Options { get; }

    public static GrpcChannel ForUnixSocket(string socketPath, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        var endpoint = new UnixDomainSocketEndPoint(Path.GetFullPath(socketPath));
        SocketsHttpHandler handler = CreateHandler();
        handler.ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };

        // The authority is only a header here: the connect callback decides where bytes go.
        return Create(handler, new Uri("http://localhost"), options);
    }

    /// <summary>A server's loopback TCP listener, e.g. http://127.0.0.1:50051 (h2c, no TLS).</summary>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{address}': only http:// (HTTP/2 without TLS) is supported.", nameof(address));
        }

        return Create(CreateHandler(), address, options);
    }

    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var call = new ClientCall<TRequest, TResponse>(this, method, options);
        call.Start(new ByteArrayContent(LengthPrefixedMessage.ToArray(request)));
        return await call.ReadSingleResponseAsync().ConfigureAwait(false);
    }

    public ServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        call.Start(new ByteArrayContent(LengthPrefixedMessage.ToArray(request)));
        return new ServerStreamingCall<TResponse>(call);
    }

    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        var requestContent = new DuplexRequestContent();
        call.Start(requestContent);
        return new ClientStreamingCall<TRequest, TResponse>(call, new RequestStreamWriter<TRequest, TResponse>(call, requestContent));
    }

    /// <summary>
    /// Both directions at once. Write the first request before awaiting anything from the response:
    /// the server sends its headers only when it first flushes.
    /// </summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = new ClientCall<TRequest, TResponse>(this, method, options);
        var requestContent = new DuplexRequestContent();
        call.Start(requestContent);
        return new DuplexStreamingCall<TRequest, TResponse>(call, new RequestStreamWriter<TRequest, TResponse>(call, requestContent));
    }

    public void Dispose() => Http.Dispose();

    private static SocketsHttpHandler CreateHandler() => new()
    {
        // Kestrel allows 100 concurrent streams per connection: open more connections rather than queue calls.
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private static GrpcChannel Create(SocketsHttpHandler handler, Uri baseAddress, GrpcChannelOptions? options)
    {
        options ??= new GrpcChannelOptions();
        options.ConfigureHandler?.Invoke(handler);
        var http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,

            // h2c with prior knowledge: never HTTP/1.1, never an upgrade attempt.
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,

            // Deadlines are per call; the 100 s default would cut every long stream.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new GrpcChannel(http, options);
    }
}
