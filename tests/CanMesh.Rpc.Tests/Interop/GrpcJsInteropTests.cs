using System.Text.Json;
using CanMesh.Rpc.Tests.Infrastructure;

namespace CanMesh.Rpc.Tests.Interop;

/// <summary>@grpc/grpc-js, an independent implementation, against our server on a Unix socket.</summary>
public sealed class GrpcJsInteropTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    [Fact]
    public async Task Unary()
    {
        JsonElement result = await RunAsync("unary");

        Assert.Equal("hello from grpc-js", result.GetProperty("reply").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Server_stream()
    {
        JsonElement result = await RunAsync("server-stream");

        Assert.Equal(1000, result.GetProperty("count").GetInt32());
        Assert.True(result.GetProperty("inOrder").GetBoolean());
    }

    [Fact]
    public async Task Bidi_with_messages_both_ways()
    {
        JsonElement result = await RunAsync("bidi");

        Assert.Equal(
            ["echo:ping0", "echo:ping1", "echo:ping2", "echo:ping3", "echo:ping4"],
            result.GetProperty("replies").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, result.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Error_status_and_non_ascii_message()
    {
        JsonElement error = (await RunAsync("error")).GetProperty("error");

        Assert.Equal((int)StatusCode.NotFound, error.GetProperty("code").GetInt32());
        Assert.Equal("capture ünïcödé 100% missing", error.GetProperty("details").GetString());
    }

    [Fact]
    public async Task Unknown_method()
    {
        JsonElement error = (await RunAsync("unimplemented")).GetProperty("error");

        Assert.Equal((int)StatusCode.Unimplemented, error.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Cancelled_stream_reaches_the_handler()
    {
        string tag = Guid.NewGuid().ToString("N");

        JsonElement result = await RunAsync("cancel", tag);

        Assert.Equal(1, result.GetProperty("received").GetInt32());
        Assert.Equal((int)StatusCode.Cancelled, result.GetProperty("error").GetProperty("code").GetInt32());
        await server.Echo.WhenCancelled(tag).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Deadline()
    {
        string tag = Guid.NewGuid().ToString("N");

        JsonElement result = await RunAsync("deadline", tag);

        Assert.Equal((int)StatusCode.DeadlineExceeded, result.GetProperty("error").GetProperty("code").GetInt32());
        await server.Echo.WhenCancelled(tag).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Health_check()
    {
        JsonElement result = await RunAsync("health");

        Assert.Equal("SERVING", result.GetProperty("reply").GetProperty("status").GetString());
    }

    private async Task<JsonElement> RunAsync(string scenario, string tag = "")
    {
        ProcessResult run = (await InteropTools.RunGrpcJsAsync(scenario, server.SocketPath, tag)).EnsureSuccess();
        try
        {
            return JsonDocument.Parse(run.StandardOutput).RootElement.Clone();
        }
        catch (JsonException)
        {
            Assert.Fail("The client printed no JSON result. " + run.Describe());
            throw;
        }
    }
}
