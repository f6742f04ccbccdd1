using Grpc.Core;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// A call's context whose <see cref="ServerCallContext.CancellationToken"/> also fires when the service
/// starts stopping; everything else is the call's own.
/// </summary>
internal sealed class StoppingServerCallContext : ServerCallContext, IDisposable
{
    private readonly CancellationTokenSource _linked;

    /// <summary>Where Grpc.AspNetCore looks for the HttpContext of a context it did not make itself (ServerCallContextExtensions.GetHttpContext).</summary>
    private const string HttpContextKey = "__HttpContext";

    public StoppingServerCallContext(ServerCallContext call, CancellationToken stopping)
    {
        Call = call;
        // The service instance is resolved from the request's services through the context the
        // handler receives: this one. UserState is the request's Items, so the key lives as long as the request.
        call.UserState[HttpContextKey] = call.GetHttpContext();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(call.CancellationToken, stopping);
    }

    /// <summary>The context Grpc.AspNetCore made for the call.</summary>
    public ServerCallContext Call { get; }

    protected override string MethodCore => Call.Method;
    protected override string HostCore => Call.Host;
    protected override string PeerCore => Call.Peer;
    protected override DateTime DeadlineCore => Call.Deadline;
    protected override Metadata RequestHeadersCore => Call.RequestHeaders;
    protected override CancellationToken CancellationTokenCore => _linked.Token;
    protected override Metadata ResponseTrailersCore => Call.ResponseTrailers;
    protected override AuthContext AuthContextCore => Call.AuthContext;
    protected override IDictionary<object, object> UserStateCore => Call.UserState;

    protected override Status StatusCore
    {
        get => Call.Status;
        set => Call.Status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => Call.WriteOptions;
        set => Call.WriteOptions = value;
    }

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => Call.CreatePropagationToken(options);

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Call.WriteResponseHeadersAsync(responseHeaders);

    public void Dispose() => _linked.Dispose();
}
