namespace CanMesh.Rpc;

/// <summary>Messages arriving on a stream: client requests on the server, server responses on the client.</summary>
public interface IAsyncStreamReader<T>
    where T : class
{
    /// <summary>The next message, or null once the peer has finished sending. Throws RpcException if the call failed.</summary>
    ValueTask<T?> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>All remaining messages.</summary>
    IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default);
}

/// <summary>Server side: response messages of a streaming call.</summary>
public interface IServerStreamWriter<in T>
{
    /// <summary>Writes and flushes one message; waits while the client is slow (HTTP/2 flow control).</summary>
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Serializes one message into the response buffer without sending it yet: batch several, then
    /// call <see cref="FlushAsync"/>. Lets a high-rate stream pay one flush per batch.
    /// </summary>
    void WriteBuffered(T message);

    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>Client side: request messages of a client-streaming or duplex call.</summary>
public interface IClientStreamWriter<in T>
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>Half-closes the call: tells the server no more requests will come.</summary>
    ValueTask CompleteAsync();
}
