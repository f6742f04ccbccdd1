using System.Net.Http;

namespace CanMesh.Rpc.Client;

public sealed class GrpcChannelOptions
{
    /// <summary>Larger response messages fail the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Size of the pooled buffers a response stream is read into.</summary>
    public int ReadBufferSize { get; set; } = 64 * 1024;

    /// <summary>Last say over the handler (keep-alive pings, window sizes) before the channel uses it.</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; set; }
}
