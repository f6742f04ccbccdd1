using Grpc.Core;

namespace CanMesh.Client.Tests.Infrastructure;

internal static class StreamReading
{
    /// <summary>The next message, or null when the server ended the stream.</summary>
    public static async Task<T?> ReadNextAsync<T>(this IAsyncStreamReader<T> reader, CancellationToken cancellationToken = default)
        where T : class =>
        await reader.MoveNext(cancellationToken) ? reader.Current : null;
}
