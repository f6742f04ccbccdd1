using CanMesh.Protos.V1;
using CanMesh.Rpc;

namespace CanMesh.Client;

/// <summary>
/// The methods of canmesh.v1.Capture (protos/canmesh/v1/capture.proto), for calls on a
/// <see cref="Rpc.Client.GrpcChannel"/> directly; <see cref="CaptureClient"/> wraps them.
/// </summary>
public static class CaptureMethods
{
    public const string ServiceName = "canmesh.v1.Capture";

    public static readonly RpcMethod<SubscribeRequest, FrameBatch> Subscribe = new(MethodType.DuplexStreaming, ServiceName, "Subscribe");
    public static readonly RpcMethod<QueryRequest, FrameBatch> Query = new(MethodType.ServerStreaming, ServiceName, "Query");
    public static readonly RpcMethod<GetStatsRequest, Stats> GetStats = new(MethodType.Unary, ServiceName, "GetStats");
    public static readonly RpcMethod<WatchStatsRequest, Stats> WatchStats = new(MethodType.ServerStreaming, ServiceName, "WatchStats");
    public static readonly RpcMethod<ListInterfacesRequest, ListInterfacesResponse> ListInterfaces = new(MethodType.Unary, ServiceName, "ListInterfaces");
}
