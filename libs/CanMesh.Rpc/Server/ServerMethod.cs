using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace CanMesh.Rpc.Server;

/// <summary>A registered method: adapts the typed handler to the HTTP/2 exchange (reads requests, writes responses).</summary>
internal abstract class ServerMethod
{
    protected ServerMethod(string path, MethodType type)
    {
        Path = path;
        Type = type;
    }

    public string Path { get; }

    public MethodType Type { get; }

    public abstract Task InvokeAsync(HttpContext http, ServerCallContext context, GrpcServerOptions options);
}

internal sealed class UnaryServerMethod<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, UnaryHandler<TRequest, TResponse> handler)
    : ServerMethod(method.Path, MethodType.Unary)
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpContext http, ServerCallContext context, GrpcServerOptions options)
    {
        var requests = new RequestStreamReader<TRequest>(http.Request.BodyReader, method.RequestParser, options.MaxReceiveMessageSize, context.CancellationToken);
        TRequest request = await requests.ReadSingleAsync().ConfigureAwait(false);
        TResponse response = await handler(request, context).ConfigureAwait(false);
        context.CancellationToken.ThrowIfCancellationRequested();

        // No flush: Kestrel sends HEADERS, DATA and the trailers together when the call returns.
        LengthPrefixedMessage.Write(http.Response.BodyWriter, response, options.MaxSendMessageSize);
        context.ResponseMessageWritten = true;
    }
}

internal sealed class ServerStreamingServerMethod<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, ServerStreamingHandler<TRequest, TResponse> handler)
    : ServerMethod(method.Path, MethodType.ServerStreaming)
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpContext http, ServerCallContext context, GrpcServerOptions options)
    {
        var requests = new RequestStreamReader<TRequest>(http.Request.BodyReader, method.RequestParser, options.MaxReceiveMessageSize, context.CancellationToken);
        TRequest request = await requests.ReadSingleAsync().ConfigureAwait(false);
        var responses = new ResponseStreamWriter<TResponse>(http.Response.BodyWriter, context, options.MaxSendMessageSize);
        await handler(request, responses, context).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingServerMethod<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, ClientStreamingHandler<TRequest, TResponse> handler)
    : ServerMethod(method.Path, MethodType.ClientStreaming)
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override async Task InvokeAsync(HttpContext http, ServerCallContext context, GrpcServerOptions options)
    {
        var requests = new RequestStreamReader<TRequest>(http.Request.BodyReader, method.RequestParser, options.MaxReceiveMessageSize, context.CancellationToken);
        TResponse response = await handler(requests, context).ConfigureAwait(false);
        context.CancellationToken.ThrowIfCancellationRequested();
        LengthPrefixedMessage.Write(http.Response.BodyWriter, response, options.MaxSendMessageSize);
        context.ResponseMessageWritten = true;
    }
}

internal sealed class DuplexStreamingServerMethod<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, DuplexStreamingHandler<TRequest, TResponse> handler)
    : ServerMethod(method.Path, MethodType.DuplexStreaming)
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override Task InvokeAsync(HttpContext http, ServerCallContext context, GrpcServerOptions options)
    {
        var requests = new RequestStreamReader<TRequest>(http.Request.BodyReader, method.RequestParser, options.MaxReceiveMessageSize, context.CancellationToken);
        var responses = new ResponseStreamWriter<TResponse>(http.Response.BodyWriter, context, options.MaxSendMessageSize);
        return handler(requests, responses, context);
    }
}
