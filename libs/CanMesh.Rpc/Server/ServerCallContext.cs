using Microsoft.AspNetCore.Http;

namespace CanMesh.Rpc.Server;

/// <summary>What a handler knows about its call, and how it chooses the status of a normal return.</summary>
public sealed class ServerCallContext
{
    internal ServerCallContext(HttpContext httpContext, string method, DateTime? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>"/package.Service/Method".</summary>
    public string Method { get; }

    /// <summary>UTC; null when the client set no grpc-timeout.</summary>
    public DateTime? Deadline { get; }

    /// <summary>
    /// Fires when the client cancels or disconnects, when the deadline passes, and when the application
    /// stops (so endless streams do not hold SIGTERM for Kestrel's shutdown timeout).
    /// </summary>
    public CancellationToken CancellationToken { get; }

    public IHeaderDictionary RequestHeaders => HttpContext.Request.Headers;

    /// <summary>The underlying HTTP/2 exchange, for what this type does not expose (peer, features).</summary>
    public HttpContext HttpContext { get; }

    /// <summary>
    /// Sent when the handler returns normally; throwing an <see cref="RpcException"/> is the other way
    /// to fail a call. Defaults to OK.
    /// </summary>
    public Status Status { get; set; } = Status.Ok;

    /// <summary>Set on the first response message, to choose between trailers and the Trailers-Only form
    /// (HttpResponse.HasStarted stays false until the first flush).</summary>
    internal bool ResponseMessageWritten { get; set; }
}
