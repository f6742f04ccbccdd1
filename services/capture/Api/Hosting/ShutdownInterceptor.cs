using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// Ends every open stream (Subscribe, Query, WatchStats, health Watch, reflection) as soon as the
/// service starts stopping, with UNAVAILABLE, so clients reconnect to the next instance at once.
/// Without it Kestrel holds a SIGTERM until the host's shutdown timeout while streams stay open, and
/// then drops the connection. Unary calls are short and run to their end.
/// </summary>
internal sealed class ShutdownInterceptor(IHostApplicationLifetime lifetime, OpenStreams open) : Interceptor
{
    /// <summary>
    /// How long a handler may take to end after the stop began. Ours end within a second (Subscribe lets its
    /// subscriber catch up first); the reflection service's read loop ignores its token and is left behind after this.
    /// </summary>
    private static readonly TimeSpan HandlerGrace = TimeSpan.FromSeconds(2);

    private readonly CancellationToken _stopping = lifetime.ApplicationStopping;

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var call = new StoppingServerCallContext(context, _stopping);
        await EndOnStopAsync(continuation(request, responseStream, call), context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var call = new StoppingServerCallContext(context, _stopping);
        var response = continuation(requestStream, call);
        await EndOnStopAsync(response, context).ConfigureAwait(false);
        return await response.ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var call = new StoppingServerCallContext(context, _stopping);
        await EndOnStopAsync(continuation(requestStream, responseStream, call), context).ConfigureAwait(false);
    }

    /// <summary>
    /// Awaits the handler; if the service began stopping while it ran (and the client had not gone
    /// away), the call ends with UNAVAILABLE whatever the handler did on its way out: an
    /// OperationCanceledException, or a plain return (health Watch returns when its token fires).
    /// </summary>
    private async Task EndOnStopAsync(Task handler, ServerCallContext context)
    {
        open.Enter();
        try
        {
            try
            {
                await handler.WaitAsync(_stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !handler.IsCompleted)
            {
                // The stop began while the handler ran: give it its grace to end on the token.
                await handler.WaitAsync(HandlerGrace).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                // Left behind: its next read or write fails once the call has ended; nobody waits for it.
                if (!handler.IsCompleted) _ = handler.ContinueWith(static t => t.Exception, TaskScheduler.Default);
                throw ApiErrors.ShuttingDown();
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw ApiErrors.ShuttingDown();
        }
        finally
        {
            open.Exit();
        }
        if (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested) throw ApiErrors.ShuttingDown();
    }
}
