using System.Runtime.CompilerServices;
using CanMesh.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace CanMesh.Client;

/// <summary>
/// The capture service's API over its Unix socket: stats, interfaces, stored-frame queries, and
/// subscriptions that ride through restarts of the service. Thread-safe; one per process is enough,
/// as every call multiplexes on the same HTTP/2 connection.
/// </summary>
/// <remarks>
/// Unary calls and <see cref="QueryAsync"/> / <see cref="WatchStatsAsync"/> report failures as
/// <see cref="RpcException"/> (UNAVAILABLE when the service is not running) and leave retrying to
/// the caller; only <see cref="Subscribe"/> reconnects by itself, because resuming needs the
/// watermark bookkeeping it does.
/// </remarks>
public sealed class CaptureClient : IAsyncDisposable, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Capture.CaptureClient _api;
    private readonly CaptureClientOptions _options;
    private readonly CancellationTokenSource _disposing = new();

    public CaptureClient(string socketPath, CaptureClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        SocketPath = socketPath;
        _options = options ?? new CaptureClientOptions();
        _channel = CaptureChannel.ForUnixSocket(socketPath, _options.ConfigureHandler, _options.LoggerFactory);
        _api = new Capture.CaptureClient(_channel);
        Logger = _options.LoggerFactory.CreateLogger("CanMesh.Client");
    }

    /// <summary>The capture service's socket, e.g. /run/canmesh/capture.sock.</summary>
    public string SocketPath { get; }

    internal ILogger Logger { get; }

    internal CallInvoker CallInvoker => _channel.CreateCallInvoker();

    /// <summary>Fires when the client is disposed: ends its subscriptions.</summary>
    internal CancellationToken Disposing => _disposing.Token;

    /// <summary>The numbers the capture's stats log prints, now.</summary>
    public async Task<Stats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        await _api.GetStatsAsync(new GetStatsRequest(), UnaryOptions(cancellationToken)).ConfigureAwait(false);

    /// <summary>Each configured source with its state and counters.</summary>
    public async Task<IReadOnlyList<InterfaceStatus>> ListInterfacesAsync(CancellationToken cancellationToken = default)
    {
        var response = await _api.ListInterfacesAsync(new ListInterfacesRequest(), UnaryOptions(cancellationToken)).ConfigureAwait(false);
        return response.Interfaces;
    }

    /// <summary>
    /// Deletes a subscriber's stored watermark for good (recorded as an event in the capture database); one of
    /// that name that subscribes later starts as a new subscriber. Returns the subscriber as it was: if it
    /// retained, its pending frames are no longer kept for it. Throws <see cref="RpcException"/>
    /// FAILED_PRECONDITION while it has a stream open (stop that client first), NOT_FOUND for an unknown name.
    /// </summary>
    public async Task<RemoveSubscriberResponse> RemoveSubscriberAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return await _api.RemoveSubscriberAsync(new RemoveSubscriberRequest { Subscriber = name }, UnaryOptions(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Stats every <paramref name="interval"/> (at least 100 ms; null for the server's 1 s) until cancelled.</summary>
    public IAsyncEnumerable<Stats> WatchStatsAsync(TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        var request = new WatchStatsRequest { IntervalMs = interval is { } value ? (uint)Math.Clamp(value.TotalMilliseconds, 0, uint.MaxValue) : 0 };
        return ReadStreamAsync(_api.WatchStats(request, cancellationToken: cancellationToken), cancellationToken);
    }

    /// <summary>Stored frames in a seq or time range (<see cref="QueryRequest.Seqs"/> or <see cref="QueryRequest.Time"/>), in seq order.</summary>
    public IAsyncEnumerable<FrameBatch> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadStreamAsync(_api.Query(request, cancellationToken: cancellationToken), cancellationToken);
    }

    /// <summary>
    /// A subscription to committed frames. Nothing is sent until the first read; read it with
    /// <see cref="Subscription.ReadAllAsync"/> (generated FrameBatch objects) or
    /// <see cref="Subscription.ReadDecodedAsync"/> (no allocation per frame), and acknowledge with
    /// <see cref="Subscription.Ack(ulong)"/>.
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

    private CallOptions UnaryOptions(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + _options.CallTimeout, cancellationToken: cancellationToken);

    private static async IAsyncEnumerable<T> ReadStreamAsync<T>(AsyncServerStreamingCall<T> call, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        using (call)
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                yield return call.ResponseStream.Current;
            }
        }
    }
}
