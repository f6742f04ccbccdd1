using Grpc.Core;

namespace CanMesh.Capture.Api.Hosting;

internal static class StreamReaderExtensions
{
    /// <summary>The next message, or null when the client has half-closed its side.</summary>
    public static async ValueTask<T?> ReadNextAsync<T>(this IAsyncStreamReader<T> reader, CancellationToken cancellationToken)
        where T : class =>
        await reader.MoveNext(cancellationToken).ConfigureAwait(false) ? reader.Current : null;
}
