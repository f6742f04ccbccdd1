using CanMesh.Client.Decoding;
using CanMesh.Protos;
using CanMesh.Protos.V1;
using Grpc.Core;

namespace CanMesh.Client;

/// <summary>
/// canmesh.v1.Capture methods whose responses the client decodes itself (<see cref="FrameBatchDecoder"/>);
/// every other call goes through the generated <see cref="Capture.CaptureClient"/>.
/// </summary>
internal static class CaptureMethods
{
    public static readonly Method<SubscribeRequest, RawFrameBatch> Subscribe = new(MethodType.DuplexStreaming, Capture.Descriptor.FullName,
        nameof(Capture.CaptureClient.Subscribe), ProtobufMarshaller.For(SubscribeRequest.Parser), RawFrameBatch.Marshaller);
}
