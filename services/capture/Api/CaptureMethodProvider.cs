using CanMesh.Protos;
using CanMesh.Protos.V1;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace CanMesh.Capture.Api;

/// <summary>
/// Registers canmesh.v1.Capture with Grpc.AspNetCore: the one place where a method of capture.proto
/// meets its handler on <see cref="CaptureApi"/>. Subscribe and Query answer with
/// <see cref="EncodedFrameBatch"/> through its own marshaller (the bytes of a canmesh.v1.FrameBatch,
/// encoded without a generated object per frame); the other methods use the generated messages.
/// </summary>
/// <remarks>
/// Not the generated Capture.CaptureBase: its binder would register Subscribe and Query a second
/// time with the generated FrameBatch marshaller, and two endpoints for one path are ambiguous.
/// Method names come from the generated client (nameof), so a renamed RPC fails the build, and
/// CaptureMethodProviderTests checks that every method of the service descriptor is registered.
/// </remarks>
internal sealed class CaptureMethodProvider : IServiceMethodProvider<CaptureApi>
{
    public static readonly Method<SubscribeRequest, EncodedFrameBatch> Subscribe = new(MethodType.DuplexStreaming, CaptureApi.ServiceName,
        nameof(Protos.V1.Capture.CaptureClient.Subscribe), ProtobufMarshaller.For(SubscribeRequest.Parser), EncodedFrameBatch.Marshaller);

    public static readonly Method<QueryRequest, EncodedFrameBatch> Query = new(MethodType.ServerStreaming, CaptureApi.ServiceName,
        nameof(Protos.V1.Capture.CaptureClient.Query), ProtobufMarshaller.For(QueryRequest.Parser), EncodedFrameBatch.Marshaller);

    public static readonly Method<GetStatsRequest, Protos.V1.Stats> GetStats = new(MethodType.Unary, CaptureApi.ServiceName,
        nameof(Protos.V1.Capture.CaptureClient.GetStats), ProtobufMarshaller.For(GetStatsRequest.Parser), ProtobufMarshaller.For(Protos.V1.Stats.Parser));

    public static readonly Method<WatchStatsRequest, Protos.V1.Stats> WatchStats = new(MethodType.ServerStreaming, CaptureApi.ServiceName,
        nameof(Protos.V1.Capture.CaptureClient.WatchStats), ProtobufMarshaller.For(WatchStatsRequest.Parser), ProtobufMarshaller.For(Protos.V1.Stats.Parser));

    public static readonly Method<ListInterfacesRequest, ListInterfacesResponse> ListInterfaces = new(MethodType.Unary, CaptureApi.ServiceName,
        nameof(Protos.V1.Capture.CaptureClient.ListInterfaces), ProtobufMarshaller.For(ListInterfacesRequest.Parser), ProtobufMarshaller.For(ListInterfacesResponse.Parser));

    public static readonly Method<RemoveSubscriberRequest, RemoveSubscriberResponse> RemoveSubscriber = new(MethodType.Unary, CaptureApi.ServiceName,
        nameof(Protos.V1.Capture.CaptureClient.RemoveSubscriber), ProtobufMarshaller.For(RemoveSubscriberRequest.Parser), ProtobufMarshaller.For(RemoveSubscriberResponse.Parser));

    /// <summary>Every method registered here, for the descriptor check.</summary>
    public static IReadOnlyList<IMethod> All => [Subscribe, Query, GetStats, WatchStats, ListInterfaces, RemoveSubscriber];

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<CaptureApi> context)
    {
        context.AddDuplexStreamingMethod(Subscribe, [], static (api, requests, responses, call) => api.SubscribeAsync(requests, responses, call));
        context.AddServerStreamingMethod(Query, [], static (api, request, responses, call) => api.QueryAsync(request, responses, call));
        context.AddUnaryMethod(GetStats, [], static (api, request, call) => api.GetStatsAsync(request, call));
        context.AddServerStreamingMethod(WatchStats, [], static (api, request, responses, call) => api.WatchStatsAsync(request, responses, call));
        context.AddUnaryMethod(ListInterfaces, [], static (api, request, call) => api.ListInterfacesAsync(request, call));
        context.AddUnaryMethod(RemoveSubscriber, [], static (api, request, call) => api.RemoveSubscriberAsync(request, call));
    }
}
