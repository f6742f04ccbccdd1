using CanMesh.Capture.Api;
using Grpc.Core;
using CaptureContract = CanMesh.Protos.V1.Capture;

namespace CanMesh.Capture.Tests.Api;

public sealed class CaptureMethodProviderTests
{
    [Fact]
    public void Every_method_of_capture_proto_is_registered_with_its_call_shape()
    {
        var registered = CaptureMethodProvider.All.ToDictionary(m => m.Name, m => m);

        Assert.Equal(CaptureContract.Descriptor.Methods.Select(m => m.Name).Order(), registered.Keys.Order());
        foreach (var method in CaptureContract.Descriptor.Methods)
        {
            var type = (method.IsClientStreaming, method.IsServerStreaming) switch
            {
                (false, false) => MethodType.Unary,
                (false, true) => MethodType.ServerStreaming,
                (true, false) => MethodType.ClientStreaming,
                (true, true) => MethodType.DuplexStreaming,
            };
            Assert.Equal(type, registered[method.Name].Type);
            Assert.Equal($"/{CaptureContract.Descriptor.FullName}/{method.Name}", registered[method.Name].FullName);
        }
    }
}
