using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace CanMesh.Rpc.Server;

/// <summary>Request messages read from Kestrel's request body pipe.</summary>
internal sealed class RequestStreamReader<T> : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private readonly PipeReader _body;
    private readonly MessageParser<T> _parser;
    private readonly int _maxMessageSize;
    private readonly CancellationToken _callToken;

    public RequestStreamReader(PipeReader body, MessageParser<T> parser, int maxMessageSize, CancellationToken callToken)
    {
        _body = body;
        _parser = parser;
        _maxMessageSize = maxMessageSize;
        _callToken = callToken;
    }

    public async ValueTask<T?> ReadAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled && cancellationToken != _callToken
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callToken)
            : null;

        // The call token always applies: a read must end when the call does, whatever the handler passed.
        CancellationToken token = linked?.Token ?? _callToken;
        try
        {
            return await LengthPrefixedMessage.ReadAsync(_body, _parser, _maxMessageSize, StatusCode.InvalidArgument, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException && _callToken.IsCancellationRequested)
        {
            // A reset stream fails the body pipe with an IOException; handlers should see one kind of "call over".
            throw new OperationCanceledException("The call was cancelled.", e, _callToken);
        }
    }

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    /// <summary>Unary and server-streaming calls carry exactly one request message.</summary>
    public async ValueTask<T> ReadSingleAsync()
    {
        T message = await ReadAsync().ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.InvalidArgument, $"The request carried no {typeof(T).Name} message.");
        if (await ReadAsync().ConfigureAwait(false) is not null)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"The request carried more than one {typeof(T).Name} message.");
        }

        return message;
    }
}
