using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace CanMesh.Rpc.Server;

/// <summary>
/// The terminal request delegate: validates a gRPC request, finds the method by :path, runs it with a
/// call context and turns its outcome into grpc-status. Protocol only: no knowledge of any service.
/// </summary>
public sealed partial class GrpcDispatcher
{
    private readonly GrpcServiceRegistry _registry;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationToken _applicationStopping;

    /// <param name="applicationStopping">IHostApplicationLifetime.ApplicationStopping: ends open streams on shutdown.</param>
    public GrpcDispatcher(GrpcServiceRegistry registry, GrpcServerOptions options, ILogger<GrpcDispatcher> logger, CancellationToken applicationStopping)
    {
        _registry = registry;
        _options = options;
        _logger = logger;
        _applicationStopping = applicationStopping;
        registry.Freeze();
    }

    public async Task HandleAsync(HttpContext http)
    {
        if (!TryAcceptRequest(http))
        {
            return;
        }

        HttpResponse response = http.Response;
        string path = http.Request.Path.Value ?? string.Empty;
        if (!_registry.TryGetMethod(path, out ServerMethod method))
        {
            CallStatusWriter.Write(response, new Status(StatusCode.Unimplemented, $"Method not found: {path}"), messageWritten: false);
            return;
        }

        DateTime? deadline = null;
        TimeSpan timeout = Timeout.InfiniteTimeSpan;
        string? timeoutHeader = http.Request.Headers[GrpcProtocol.TimeoutHeader];
        if (!string.IsNullOrEmpty(timeoutHeader))
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out timeout))
            {
                CallStatusWriter.Write(response, new Status(StatusCode.Internal, $"Invalid grpc-timeout header: '{timeoutHeader}'."), messageWritten: false);
                return;
            }

            deadline = DateTime.UtcNow + timeout;
        }

        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _applicationStopping);
        if (deadline is not null)
        {
            callCts.CancelAfter(timeout);
        }

        var context = new ServerCallContext(http, path, deadline, callCts.Token);
        Status status;
        try
        {
            await method.InvokeAsync(http, context, _options).ConfigureAwait(false);
            status = DeadlinePassed(deadline) && !context.ResponseMessageWritten
                ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                : context.Status;
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // RST_STREAM from the client or a dead connection: nobody is left to read a status.
            LogClientGone(_logger, path);
            return;
        }
        catch (RpcException e)
        {
            status = e.Status;
        }
        catch (Exception) when (DeadlinePassed(deadline))
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        catch (Exception) when (_applicationStopping.IsCancellationRequested)
        {
            status = new Status(StatusCode.Unavailable, "The server is shutting down.");
        }
        catch (Exception e)
        {
            // The client gets a code and a pointer to the log, never the exception text or stack trace.
            LogHandlerFailed(_logger, e, path);
            status = new Status(StatusCode.Internal, $"The server failed to handle {path}; see its log.");
        }

        if (http.RequestAborted.IsCancellationRequested)
        {
            LogClientGone(_logger, path);
            return;
        }

        CallStatusWriter.Write(response, status, context.ResponseMessageWritten);
    }

    private static bool DeadlinePassed(DateTime? deadline) => deadline is { } d && DateTime.UtcNow >= d;

    /// <summary>Rejects what is not a gRPC call with the plain HTTP status the spec asks for.</summary>
    private bool TryAcceptRequest(HttpContext http)
    {
        HttpRequest request = http.Request;
        HttpResponse response = http.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Upgrade = "h2c";
            return false;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        // Kestrel's defaults are for request/response web traffic: a 30 MB body cap would end a long
        // stream, and the minimum data rate (240 B/s after 5 s) kills a quiet duplex stream with a
        // GOAWAY that takes down every other call on the connection.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBodySize)
        {
            maxBodySize.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minDataRate)
        {
            minDataRate.MinDataRate = null;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;

        string? encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (!string.IsNullOrEmpty(encoding) && encoding != "identity")
        {
            response.Headers[GrpcProtocol.AcceptEncodingHeader] = "identity";
            CallStatusWriter.Write(response, new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding '{encoding}': this server accepts identity only."), messageWritten: false);
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "gRPC call {Path}: the client cancelled or disconnected")]
    private static partial void LogClientGone(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC call {Path}: the handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string path);
}
