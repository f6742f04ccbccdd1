using System.IO.Pipelines;
using Google.Protobuf;

namespace CanMesh.Rpc.Client;

/// <summary>
/// Request messages of a client-streaming or duplex call, serialized into a pipe over the HTTP/2
/// request stream (pooled buffers, no array per message). One write at a time.
/// </summary>
internal sealed class RequestStreamWriter<TRequest, TResponse> : IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly ClientCall<TRequest, TResponse> _call;
    private readonly DuplexRequestContent _content;
    private PipeWriter? _pipe;
    private int _writing;
    private bool _completed;

    public RequestStreamWriter(ClientCall<TRequest, TResponse> call, DuplexRequestContent content)
    {
        _call = call;
        _content = content;
    }

    public async ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed)
        {
            throw new InvalidOperationException("The request stream was already completed.");
        }

        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("Only one write at a time: await the previous WriteAsync first.");
        }

        try
        {
            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _call.CallToken);
            PipeWriter pipe = _pipe ??= PipeWriter.Create(
                await _content.StreamAsync.WaitAsync(linked.Token).ConfigureAwait(false),
                new StreamPipeWriterOptions(leaveOpen: true));
            LengthPrefixedMessage.Write(pipe, message);
            FlushResult result = await pipe.FlushAsync(linked.Token).ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new IOException("The request stream is closed.");
            }
        }
        catch (Exception e)
        {
            // Typical at the end of a call: the server finished while we wrote (ObjectDisposedException
            // or TaskCanceledException from the handler). Report the call's outcome, not that accident.
            throw _call.WriteFailed(e);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public async ValueTask CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_pipe is not null)
        {
            await _pipe.CompleteAsync().ConfigureAwait(false);
        }

        _content.Complete();
    }
}
