using System.Runtime.CompilerServices;
using CanMesh.Protos.V1;
using CanMesh.Rpc.Client;
using Microsoft.Extensions.Logging;

namespace CanMesh.Client;

/// <summary>
/// The capture service's API over its Unix socket: stats, interfaces, stored-frame queries, and
/// subscriptions that ride through restarts of the service. Thread-safe; one per process is enough,
/// as every call multiplexes on the same HTTP/2 connection pool.
/// </summary>
/// <remarks>
/// Unary calls and <see cref="QueryAsync"/> / <see cref="WatchStatsAsync"/> report failures as
/// <see cref="Rpc.RpcException"/> (UNAVAILABLE when the service is not running) and leave retrying to
/// the caller; only <see cref="Subscribe"/> reconnects by itself, because resuming needs the
/// watermark bookkeeping it does.
/// </remarks>
public sealed class CaptureClient : IAsyncDisposable, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CaptureClientOptions _options;
    private readonly CancellationTokenSource _disposing = new();

    public CaptureClient(string socketPath, CaptureClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        SocketPath = socketPath;
        _options = options ?? new CaptureClientOptions();
        _channel = GrpcChannel.ForUnixSocket(socketPath);
        Logger = _options.LoggerFactory.CreateLogger("CanMesh.Client");
    }

    /// <summary>The capture service's socket, e.g. /run/canmesh/capture.sock.</summary>
    public string SocketPath { get; }

    internal ILogger Logger { get; }

    internal GrpcChannel Channel => _channel;

    /// <summary>Fires when the client is disposed: ends its subscriptions.</summary>
    internal CancellationToken Disposing => _disposing.Token;

    /// <summary>The numbers the capture's stats log prints, now.</summary>
    public Task<Stats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        _channel.UnaryAsync(CaptureMethods.GetStats, new GetStatsRequest(), UnaryOptions(cancellationToken));

    /// <summary>Each configured source with its state and counters.</summary>
    public async Task<IReadOnlyList<InterfaceStatus>> ListInterfacesAsync(CancellationToken cancellationToken = default)
    {
        var response = await _channel.UnaryAsync(CaptureMethods.ListInterfaces, new ListInterfacesRequest(), UnaryOptions(cancellationToken)).ConfigureAwait(false);
        return response.Interfaces;
    }

    /// <summary>Stats every <paramref name="interval"/> (at least 100 ms; null for the server's 1 s) until cancelled.</summary>
    public IAsyncEnumerable<Stats> WatchStatsAsync(TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        var request = new WatchStatsRequest { IntervalMs = interval is { } value ? (uint)Math.Clamp(value.TotalMilliseconds, 0, uint.MaxValue) : 0 };
        return ReadStreamAsync(_channel.ServerStreaming(CaptureMethods.WatchStats, request, StreamOptions(cancellationToken)), cancellationToken);
    }

    /// <summary>Stored frames in a seq or time range (<see cref="QueryRequest.Seqs"/> or <see cref="QueryRequest.Time"/>), in seq order.</summary>
    public IAsyncEnumerable<FrameBatch> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadStreamAsync(_channel.ServerStreaming(CaptureMethods.Query, request, StreamOptions(cancellationToken)), cancellationToken);
    }

    /// <summary>
    /// A subscription to committed frames. Nothing is sent until the first read; read it with
    /// <see cref="Subscription.ReadAllAsync"/> and acknowledge with <see cref="Subscription.Ack(FrameBatch)"/>.
    /// </summary>
    public Subscription Subscribe(SubscriptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        return new Subscription(this, options);
    }

    public void Dispose()
    {
        if (_disposing.IsCancellationRequested) return;
        // The source stays undisposed: subscriptions may still link to its (now cancelled) token.
        _disposing.Cancel();
        _channel.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private CallOptions UnaryOptions(CancellationToken cancellationToken) => new(Timeout: _options.CallTimeout, CancellationToken: cancellationToken);

    private static CallOptions StreamOptions(CancellationToken cancellationToken) => new(CancellationToken: cancellationToken);

    private static async IAsyncEnumerable<T> ReadStreamAsync<T>(ServerStreamingCall<T> call, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        await using (call.ConfigureAwait(false))
        {
            while (await call.ResponseStream.ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                yield return message;
            }
        }
    }
}
