using CanMesh.Rpc.Client;
using CanMesh.Rpc.Reflection;
using CanMesh.Rpc.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1;

namespace CanMesh.Rpc.Tests;

public sealed class ReflectionTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    public static TheoryData<string> Versions => new() { ReflectionService.V1ServiceName, ReflectionService.V1AlphaServiceName };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task List_services_names_every_announced_service(string version)
    {
        ServerReflectionResponse response = await AskAsync(version, new ServerReflectionRequest { ListServices = "*" });

        Assert.Equal(
            ["canmesh.test.v1.EchoService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            response.ListServicesResponse.Service.Select(s => s.Name).Order());
    }

    [Theory]
    [InlineData("canmesh.test.v1.EchoService")]
    [InlineData("canmesh.test.v1.EchoService.Count")]
    [InlineData("canmesh.test.v1.EchoRequest")]
    public async Task File_containing_symbol_sends_the_file_and_its_dependencies(string symbol)
    {
        ServerReflectionResponse response = await AskAsync(ReflectionService.V1ServiceName, new ServerReflectionRequest { FileContainingSymbol = symbol });

        FileDescriptorProto[] files = Decode(response);
        Assert.Equal("canmesh/test/v1/echo.proto", files[0].Name);
        Assert.Contains(files, f => f.Name == "google/protobuf/timestamp.proto");

        // The files are enough to rebuild the descriptors, as a reflection client does.
        IReadOnlyList<FileDescriptor> built = FileDescriptor.BuildFromByteStrings(response.FileDescriptorResponse.FileDescriptorProto.Reverse());
        Assert.Contains(built.SelectMany(f => f.Services), s => s.FullName == "canmesh.test.v1.EchoService");
    }

    [Fact]
    public async Task File_by_filename_sends_the_file_and_its_dependencies()
    {
        ServerReflectionResponse response = await AskAsync(ReflectionService.V1AlphaServiceName, new ServerReflectionRequest { FileByFilename = "canmesh/test/v1/echo.proto" });

        Assert.Equal(["canmesh/test/v1/echo.proto", "google/protobuf/timestamp.proto"], Decode(response).Select(f => f.Name));
    }

    [Fact]
    public async Task Unknown_symbol_and_file_are_not_found_errors_and_the_stream_goes_on()
    {
        await using DuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call = server.Channel.DuplexStreaming(ReflectionService.V1Method);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" });
        ServerReflectionResponse symbol = (await call.ResponseStream.ReadAsync())!;
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileByFilename = "no/such.proto" });
        ServerReflectionResponse file = (await call.ResponseStream.ReadAsync())!;
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        ServerReflectionResponse list = (await call.ResponseStream.ReadAsync())!;
        await call.RequestStream.CompleteAsync();

        Assert.Equal((int)StatusCode.NotFound, symbol.ErrorResponse.ErrorCode);
        Assert.Contains("no.such.Symbol", symbol.ErrorResponse.ErrorMessage);
        Assert.Equal((int)StatusCode.NotFound, file.ErrorResponse.ErrorCode);
        Assert.NotEmpty(list.ListServicesResponse.Service);
        Assert.Null(await call.ResponseStream.ReadAsync());
    }

    private async Task<ServerReflectionResponse> AskAsync(string serviceName, ServerReflectionRequest request)
    {
        var method = serviceName == ReflectionService.V1ServiceName ? ReflectionService.V1Method : ReflectionService.V1AlphaMethod;
        await using DuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call = server.Channel.DuplexStreaming(method);
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        ServerReflectionResponse response = (await call.ResponseStream.ReadAsync())!;
        Assert.Null(await call.ResponseStream.ReadAsync());
        Assert.Equal(request, response.OriginalRequest);
        return response;
    }

    private static FileDescriptorProto[] Decode(ServerReflectionResponse response)
    {
        Assert.Equal(ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse, response.MessageResponseCase);
        return response.FileDescriptorResponse.FileDescriptorProto.Select(FileDescriptorProto.Parser.ParseFrom).ToArray();
    }
}
