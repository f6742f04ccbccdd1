using System.Net.Http.Headers;

namespace CanMesh.Rpc.Client;

/// <summary>The response half of a client call, independent of its request type.</summary>
internal interface IClientCall<TResponse> : IAsyncStreamReader<TResponse>, IAsyncDisposable
    where TResponse : class
{
    Status? Status { get; }

    Task<HttpResponseHeaders> ResponseHeadersAsync();

    Task<TResponse> ReadSingleResponseAsync();

    void Cancel();
}
