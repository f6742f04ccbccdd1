using System.Net.Http.Headers;

namespace CanMesh.Rpc.Client;

/// <summary>A call answered by a stream of messages. Dispose it to cancel an unfinished stream.</summary>
public sealed class ServerStreamingCall<TResponse> : IAsyncDisposable
    where TResponse : class
{
    private readonly IClientCall<TResponse> _call;

    internal ServerStreamingCall(IClientCall<TResponse> call) => _call = call;

    /// <summary>Read until null (or use ReadAllAsync); a non-OK end throws <see cref="RpcException"/>.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream => _call;

    /// <summary>The final status once the stream has ended, else null.</summary>
    public Status? Status => _call.Status;

    public Task<HttpResponseHeaders> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    /// <summary>Ends the call on both sides: the server's handler token fires.</summary>
    public void Cancel() => _call.Cancel();

    public ValueTask DisposeAsync() => _call.DisposeAsync();
}

/// <summary>A call with a stream of messages each way, flowing at the same time.</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : IAsyncDisposable
    where TResponse : class
{
    private readonly IClientCall<TResponse> _call;

    internal DuplexStreamingCall(IClientCall<TResponse> call, IClientStreamWriter<TRequest> requestStream)
    {
        _call = call;
        RequestStream = requestStream;
    }

    /// <summary>Call CompleteAsync when done sending; a write after the server ended the call throws its status.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    public IAsyncStreamReader<TResponse> ResponseStream => _call;

    public Status? Status => _call.Status;

    /// <summary>Arrives with the server's first flush: write first if the server waits for a request.</summary>
    public Task<HttpResponseHeaders> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    public void Cancel() => _call.Cancel();

    public ValueTask DisposeAsync() => _call.DisposeAsync();
}

/// <summary>A call sending a stream of messages, answered by one.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IAsyncDisposable
    where TResponse : class
{
    private readonly IClientCall<TResponse> _call;

    internal ClientStreamingCall(IClientCall<TResponse> call, IClientStreamWriter<TRequest> requestStream)
    {
        _call = call;
        RequestStream = requestStream;
    }

    public IClientStreamWriter<TRequest> RequestStream { get; }

    public Status? Status => _call.Status;

    /// <summary>The response, after <c>RequestStream.CompleteAsync()</c>; throws <see cref="RpcException"/> for a non-OK status.</summary>
    public Task<TResponse> GetResponseAsync() => _call.ReadSingleResponseAsync();

    public void Cancel() => _call.Cancel();

    public ValueTask DisposeAsync() => _call.DisposeAsync();
}
