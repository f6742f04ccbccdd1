using System.Text.Json;
using CanMesh.Interop.Tests.Infrastructure;

namespace CanMesh.Interop.Tests;

/// <summary>
/// `buf curl` against the real capture executable with no .proto files (no --schema): everything it
/// knows about canmesh.v1.Capture comes from the server's reflection service.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class BufCurlCaptureTests(CaptureFixture capture)
{
    [Theory]
    [InlineData("grpc-v1")]
    [InlineData("grpc-v1alpha")]
    public async Task List_services(string reflectProtocol)
    {
        ProcessResult run = (await BufCurlAsync("--reflect-protocol", reflectProtocol, "--list-services", "http://localhost")).EnsureSuccess();

        Assert.Equal(
            ["canmesh.v1.Capture", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"],
            run.Lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_methods()
    {
        ProcessResult run = (await BufCurlAsync("--list-methods", "http://localhost")).EnsureSuccess();

        Assert.Equal(
            ["canmesh.v1.Capture/GetStats", "canmesh.v1.Capture/ListInterfaces", "canmesh.v1.Capture/Query", "canmesh.v1.Capture/RemoveSubscriber",
                "canmesh.v1.Capture/Subscribe", "canmesh.v1.Capture/WatchStats"],
            run.Lines.Where(m => m.StartsWith("canmesh.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains("grpc.health.v1.Health/Check", run.Lines);
    }

    [Fact]
    public async Task GetStats_as_json_has_the_stores_committed_seq()
    {
        ProcessResult run = (await BufCurlAsync("http://localhost/canmesh.v1.Capture/GetStats")).EnsureSuccess();

        using JsonDocument reply = JsonDocument.Parse(run.StandardOutput);
        JsonElement store = reply.RootElement.GetProperty("store");
        // uint64 is a string in the proto3 JSON mapping.
        long committed = (long)capture.Query("SELECT max(seq) FROM frames")[0][0]!;
        Assert.Equal(committed.ToString(), store.GetProperty("committedSeq").GetString());
        Assert.Equal(CaptureFixture.LogFrames, committed);
        Assert.Equal(capture.CaptureId, store.GetProperty("captureId").GetString());
    }

    [Fact]
    public async Task ListInterfaces()
    {
        ProcessResult run = (await BufCurlAsync("http://localhost/canmesh.v1.Capture/ListInterfaces")).EnsureSuccess();

        using JsonDocument reply = JsonDocument.Parse(run.StandardOutput);
        JsonElement[] interfaces = [.. reply.RootElement.GetProperty("interfaces").EnumerateArray()];
        Assert.Equal(["vcan0", "idle0"], interfaces.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal("running", interfaces[1].GetProperty("state").GetString());
        JsonElement iface = interfaces[0];
        Assert.Equal("replay", iface.GetProperty("kind").GetString());
        Assert.Equal("finished", iface.GetProperty("state").GetString());
        Assert.Equal(CaptureFixture.LogFrames.ToString(), iface.GetProperty("counters").GetProperty("frames").GetString());
    }

    [Fact]
    public async Task Query_server_stream_as_json()
    {
        ProcessResult run = (await BufCurlAsync("-d", """{"seqs":{"first":"1","last":"2"}}""", "http://localhost/canmesh.v1.Capture/Query")).EnsureSuccess();

        using JsonDocument reply = JsonDocument.Parse(run.StandardOutput);
        JsonElement[] frames = [.. reply.RootElement.GetProperty("frames").EnumerateArray()];
        Assert.Equal(["1", "2"], frames.Select(f => f.GetProperty("seq").GetString()));
        // (166.000000) vcan0 21A#FE3612FE690507AD: bytes are base64 in JSON.
        Assert.StartsWith("(166.000000) vcan0 21A#FE3612FE690507AD", capture.LogLines[0]);
        Assert.Equal("166000000000", frames[0].GetProperty("timestampNs").GetString());
        Assert.Equal(0x21A, frames[0].GetProperty("canId").GetInt32());
        Assert.Equal(Convert.FromHexString("FE3612FE690507AD"), Convert.FromBase64String(frames[0].GetProperty("data").GetString()!));
        Assert.Equal("vcan0", reply.RootElement.GetProperty("interfaces")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Error_status_reaches_buf()
    {
        ProcessResult run = await BufCurlAsync("-d", """{"seqs":{"first":"5","last":"2"}}""", "http://localhost/canmesh.v1.Capture/Query");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("invalid_argument", run.StandardError);
        Assert.Contains("seqs.first 5 is above seqs.last 2", run.StandardError);
    }

    private Task<ProcessResult> BufCurlAsync(params string[] arguments) => InteropTools.RunBufCurlAsync(capture.SocketPath, arguments);
}
