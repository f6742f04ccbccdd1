using System.IO.Pipelines;
using Google.Protobuf;

namespace CanMesh.Rpc.Server;

/// <summary>
/// Response messages serialized straight into Kestrel's response pipe (pooled memory, no copy).
/// Not thread-safe: one writer per call, as in every gRPC implementation.
/// </summary>
internal sealed class ResponseStreamWriter<T> : IServerStreamWriter<T>
    where T : IMessage<T>
{
    private readonly PipeWriter _body;
    private readonly ServerCallContext _context;
    private readonly int _maxMessageSize;

    public ResponseStreamWriter(PipeWriter body, ServerCallContext context, int maxMessageSize)
    {
        _body = body;
        _context = context;
        _maxMessageSize = maxMessageSize;
    }

    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        WriteBuffered(message);
        return FlushAsync(cancellationToken);
    }

    public void WriteBuffered(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        LengthPrefixedMessage.Write(_body, message, _maxMessageSize);
        _context.ResponseMessageWritten = true;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        CancellationToken token = cancellationToken.CanBeCanceled ? cancellationToken : _context.CancellationToken;
        FlushResult result = await _body.FlushAsync(token).ConfigureAwait(false);

        // A flush after the client went away does not throw: without this check a stream loop
        // would keep serializing into nothing.
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new OperationCanceledException("The client is gone: the response stream is closed.", token);
        }
    }
}
