namespace CanMesh.Rpc.Server;

public sealed class GrpcServerOptions
{
    /// <summary>Larger request messages fail the call with RESOURCE_EXHAUSTED before they are buffered.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Larger response messages fail the call with RESOURCE_EXHAUSTED. Unlimited by default, as in grpc-dotnet.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;
}
