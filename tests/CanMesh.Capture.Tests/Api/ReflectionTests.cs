using CanMesh.Client;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace CanMesh.Capture.Tests.Api;

/// <summary>
/// Server reflection, both versions tools use (grpcurl asks v1alpha, buf v1), lists canmesh.v1.Capture
/// with every method, although its methods are registered by hand rather than by generated code.
/// </summary>
public sealed class ReflectionTests : IAsyncLifetime
{
    private static readonly string[] Services = ["canmesh.v1.Capture", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];

    private readonly TempFolder _folder = new();
    private CaptureProcess? _capture;

    public async Task InitializeAsync() =>
        _capture = await CaptureServing.StartAndWaitAsync(new CaptureEnvironment(_folder).Sim("sim0", 100).Variables, _folder.Socket);

    public Task DisposeAsync()
    {
        _capture?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task V1_lists_every_service_and_describes_every_capture_method()
    {
        using var channel = CaptureChannel.ForUnixSocket(_folder.Socket);
        using var call = new V1.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(30));

        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(Services, call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order());

        await call.RequestStream.WriteAsync(new V1.ServerReflectionRequest { FileContainingSymbol = "canmesh.v1.Capture" });
        Assert.True(await call.ResponseStream.MoveNext());
        AssertCaptureMethods(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task V1alpha_lists_every_service_and_describes_every_capture_method()
    {
        using var channel = CaptureChannel.ForUnixSocket(_folder.Socket);
        using var call = new V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(30));

        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(Services, call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).Order());

        await call.RequestStream.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "canmesh.v1.Capture" });
        Assert.True(await call.ResponseStream.MoveNext());
        AssertCaptureMethods(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto);
        await call.RequestStream.CompleteAsync();
    }

    private static void AssertCaptureMethods(IEnumerable<ByteString> files)
    {
        var service = files.Select(FileDescriptorProto.Parser.ParseFrom).SelectMany(f => f.Service).Single(s => s.Name == "Capture");
        Assert.Equal(Protos.V1.Capture.Descriptor.Methods.Select(m => m.Name).Order(), service.Method.Select(m => m.Name).Order());
    }
}
