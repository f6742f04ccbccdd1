using System.Text.Json;
using CanMesh.Rpc.Tests.Infrastructure;

namespace CanMesh.Rpc.Tests.Interop;

/// <summary>buf curl with no .proto files: everything it knows comes from our server reflection.</summary>
public sealed class BufCurlInteropTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    [Theory]
    [InlineData("grpc-v1")]
    [InlineData("grpc-v1alpha")]
    public async Task List_services(string reflectProtocol)
    {
        ProcessResult run = (await InteropTools.RunBufCurlAsync(server.SocketPath, "--reflect-protocol", reflectProtocol, "--list-services", "http://localhost")).EnsureSuccess();

        string[] services = Lines(run.StandardOutput);
        Assert.Contains("canmesh.test.v1.EchoService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task List_methods_describes_every_service()
    {
        // buf resolves each listed service's file (and its imports) through file_containing_symbol.
        ProcessResult run = (await InteropTools.RunBufCurlAsync(server.SocketPath, "--list-methods", "http://localhost")).EnsureSuccess();

        string[] methods = Lines(run.StandardOutput);
        Assert.Equal(
            ["canmesh.test.v1.EchoService/Chat", "canmesh.test.v1.EchoService/Count", "canmesh.test.v1.EchoService/Echo", "canmesh.test.v1.EchoService/Join"],
            methods.Where(m => m.StartsWith("canmesh.", StringComparison.Ordinal)).Order());
        Assert.Contains("grpc.health.v1.Health/Watch", methods);
    }

    [Fact]
    public async Task Unary_call_described_by_reflection()
    {
        ProcessResult run = (await InteropTools.RunBufCurlAsync(server.SocketPath, "-d", """{"text":"hi from buf"}""", "http://localhost/canmesh.test.v1.EchoService/Echo")).EnsureSuccess();

        using JsonDocument reply = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal("hi from buf", reply.RootElement.GetProperty("text").GetString());

        // sentAt is a google.protobuf.Timestamp: buf resolved the imported file through reflection too.
        Assert.True(reply.RootElement.TryGetProperty("sentAt", out _), run.StandardOutput);
    }

    [Fact]
    public async Task Server_stream_and_error_status()
    {
        ProcessResult stream = (await InteropTools.RunBufCurlAsync(server.SocketPath, "-d", """{"count":3,"failCode":9,"failMessage":"stop"}""", "http://localhost/canmesh.test.v1.EchoService/Count"));

        Assert.NotEqual(0, stream.ExitCode);
        Assert.Contains("\"index\": 2", stream.StandardOutput);
        Assert.Contains("failed_precondition", stream.StandardError);
        Assert.Contains("stop", stream.StandardError);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
