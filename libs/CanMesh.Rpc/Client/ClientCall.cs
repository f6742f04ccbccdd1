using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace CanMesh.Rpc.Client;

/// <summary>
/// One call's HTTP/2 exchange on the client: sends the request, validates the response headers,
/// reads response messages and the final status, and turns cancellation, deadline and transport
/// failures into an <see cref="RpcException"/> with the right code.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IClientCall<TResponse>
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");

    private readonly GrpcChannel _channel;
    private readonly RpcMethod<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource? _deadlineCts;
    private readonly CancellationTokenSource _callCts;
    private Task<HttpResponseMessage>? _responseTask;
    private DuplexRequestContent? _duplexContent;
    private HttpResponseMessage? _response;
    private PipeReader? _body;
    private Status? _status;

    public ClientCall(GrpcChannel channel, RpcMethod<TRequest, TResponse> method, CallOptions options)
    {
        ArgumentNullException.ThrowIfNull(method);
        _channel = channel;
        _method = method;
        _options = options;
        if (options.Timeout is { } timeout)
        {
            _deadlineCts = new CancellationTokenSource(timeout);
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, _deadlineCts.Token);
        }
        else
        {
            _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        }
    }

    /// <summary>The final status once the call has ended, else null.</summary>
    public Status? Status => _status;

    internal CancellationToken CallToken => _callCts.Token;

    public void Start(HttpContent content)
    {
        content.Headers.ContentType ??= new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        _duplexContent = content as DuplexRequestContent;
        var request = new HttpRequestMessage(HttpMethod.Post, _method.Path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(Trailers);
        request.Headers.TryAddWithoutValidation("user-agent", "canmesh-rpc-dotnet/1.0");
        if (_options.Timeout is { } timeout)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));
        }

        foreach ((string key, string value) in _options.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }

        // Not awaited: for a duplex call the response headers may only come after our first message.
        _responseTask = _channel.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _callCts.Token);
        _callCts.Token.Register(static state => ((ClientCall<TRequest, TResponse>)state!).Abort(), this);
    }

    public void Cancel() => _callCts.Cancel();

    public async Task<HttpResponseHeaders> ResponseHeadersAsync()
    {
        HttpResponseMessage response = await GetResponseAsync().ConfigureAwait(false);
        return response.Headers;
    }

    public async ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken = default)
    {
        // A read's own token cancels the whole call: a half-read HTTP/2 stream cannot be resumed.
        using CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => ((ClientCall<TRequest, TResponse>)state!).Cancel(), this)
            : default;

        PipeReader? body = await GetBodyAsync().ConfigureAwait(false);
        if (body is null)
        {
            return ThrowIfFailed();
        }

        TResponse? message;
        try
        {
            message = await LengthPrefixedMessage.ReadAsync(body, _method.ResponseParser, _channel.Options.MaxReceiveMessageSize, StatusCode.Internal, _callCts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Finish(MapException(e));
        }

        if (message is not null)
        {
            return message;
        }

        // The body has ended, so the trailers have arrived.
        await body.CompleteAsync().ConfigureAwait(false);
        _status = ResponseStatus.Read(_response!.TrailingHeaders) ?? new Status(StatusCode.Internal, "The response ended without a grpc-status trailer.");
        return ThrowIfFailed();
    }

    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    public async Task<TResponse> ReadSingleResponseAsync()
    {
        TResponse message = await ReadAsync().ConfigureAwait(false)
            ?? throw Finish(new RpcException(StatusCode.Internal, $"The server finished {_method.Path} with OK but sent no response message."));
        if (await ReadAsync().ConfigureAwait(false) is not null)
        {
            throw Finish(new RpcException(StatusCode.Internal, $"The server sent more than one response message for {_method.Path}."));
        }

        return message;
    }

    /// <summary>What a failed write should report: the call's own outcome if known.</summary>
    internal RpcException WriteFailed(Exception cause)
    {
        if (_status is { Code: not StatusCode.OK } status)
        {
            return new RpcException(status, cause);
        }

        if (_callCts.IsCancellationRequested)
        {
            return MapException(cause);
        }

        return new RpcException(new Status(StatusCode.Unavailable, $"Cannot write to {_method.Path}: the call is already over. Read the response stream for its status."), cause);
    }

    public async ValueTask DisposeAsync()
    {
        if (_status is null)
        {
            // Disposing an unfinished call cancels it: RST_STREAM, and the server's handler token fires.
            _callCts.Cancel();
        }

        _duplexContent?.Complete();
        if (_responseTask is not null)
        {
            try
            {
                (await _responseTask.ConfigureAwait(false)).Dispose();
            }
            catch (Exception)
            {
                // The call's outcome was already reported (or nobody asked for it).
            }
        }

        if (_body is not null)
        {
            await _body.CompleteAsync().ConfigureAwait(false);
        }

        _callCts.Dispose();
        _deadlineCts?.Dispose();
    }

    private async ValueTask<HttpResponseMessage> GetResponseAsync()
    {
        if (_response is not null)
        {
            return _response;
        }

        HttpResponseMessage response;
        try
        {
            response = await (_responseTask ?? throw new InvalidOperationException("The call was not started.")).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Finish(MapException(e));
        }

        _response = response;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Finish(new RpcException(ResponseStatus.FromHttpStatus(response.StatusCode), $"Bad gRPC response: HTTP status {(int)response.StatusCode} for {_method.Path}."));
        }

        // Trailers-Only: the status came in the headers and there is no body.
        if (ResponseStatus.Read(response.Headers) is { } status)
        {
            _status = status;
            return response;
        }

        if (!GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.MediaType))
        {
            throw Finish(new RpcException(StatusCode.Internal, $"Bad gRPC response: content-type '{response.Content.Headers.ContentType}' for {_method.Path}."));
        }

        return response;
    }

    private async ValueTask<PipeReader?> GetBodyAsync()
    {
        if (_body is not null)
        {
            return _status is null ? _body : null;
        }

        HttpResponseMessage response = await GetResponseAsync().ConfigureAwait(false);
        if (_status is not null)
        {
            return null;
        }

        Stream stream;
        try
        {
            stream = await response.Content.ReadAsStreamAsync(_callCts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Finish(MapException(e));
        }

        int bufferSize = _channel.Options.ReadBufferSize;
        _body = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: bufferSize, minimumReadSize: Math.Min(4096, bufferSize)));
        return _body;
    }

    private TResponse? ThrowIfFailed()
    {
        if (_status is { Code: not StatusCode.OK } status)
        {
            throw new RpcException(status);
        }

        return null;
    }

    private RpcException Finish(RpcException e)
    {
        _status ??= e.Status;
        // The call failed: a request write waiting for the stream (a duplex call whose connection broke)
        // must fail now rather than wait forever.
        _duplexContent?.Abort();
        return e;
    }

    private RpcException MapException(Exception e)
    {
        if (e is RpcException rpc)
        {
            return rpc;
        }

        // Our own abort disposes the response, so reads fail with IOException rather than a cancellation:
        // our tokens, not the exception type, say what happened.
        if (_deadlineCts?.IsCancellationRequested == true && !_options.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), e);
        }

        if (_callCts.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.Cancelled, "Call cancelled by the client."), e);
        }

        if (ResponseStatus.FindInner<HttpProtocolException>(e) is { } protocol)
        {
            // 0x8 is HTTP/2 CANCEL: the server reset the stream (for instance it was stopped).
            return protocol.ErrorCode == 0x8
                ? new RpcException(new Status(StatusCode.Cancelled, "The server cancelled the call."), e)
                : new RpcException(new Status(StatusCode.Internal, $"HTTP/2 error {protocol.ErrorCode}: {protocol.Message}"), e);
        }

        return new RpcException(new Status(StatusCode.Unavailable, $"Connection to the server failed: {e.Message}"), e);
    }

    private void Abort()
    {
        _duplexContent?.Abort();

        // Cancelling a pending read does not reset the HTTP/2 stream; disposing the response does, at once.
        Task<HttpResponseMessage>? responseTask = _responseTask;
        if (responseTask is null)
        {
            return;
        }

        if (responseTask.IsCompletedSuccessfully)
        {
            responseTask.Result.Dispose();
        }
        else
        {
            responseTask.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }
}
