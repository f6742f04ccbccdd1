using System.Text.Json;
using CanMesh.Interop.Tests.Infrastructure;

namespace CanMesh.Interop.Tests;

/// <summary>
/// @grpc/grpc-js + @grpc/proto-loader, an independent gRPC implementation, against the real capture
/// executable's API on its Unix socket: unary, server streams, errors, cancellation, health.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class GrpcJsCaptureTests(CaptureFixture capture)
{
    [Fact]
    public async Task GetStats_reports_the_committed_replay()
    {
        JsonElement stats = (await RunAsync("get-stats")).GetProperty("reply");

        JsonElement store = stats.GetProperty("store");
        Assert.Equal(CaptureFixture.LogFrames.ToString(), store.GetProperty("committedSeq").GetString());
        Assert.Equal("1", store.GetProperty("firstSeq").GetString());
        Assert.Equal(CaptureFixture.LogFrames.ToString(), store.GetProperty("rows").GetString());
        Assert.Equal(capture.CaptureId, store.GetProperty("captureId").GetString());
        JsonElement source = stats.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "vcan0");
        Assert.Equal("replay", source.GetProperty("kind").GetString());
        Assert.Equal("finished", source.GetProperty("state").GetString());
        Assert.Equal(CaptureFixture.LogFrames.ToString(), source.GetProperty("frames").GetString());
    }

    [Fact]
    public async Task WatchStats_streams_at_the_interval_until_the_client_cancels()
    {
        JsonElement result = await RunAsync("watch-stats");

        Assert.Equal(2, result.GetProperty("count").GetInt32());
        Assert.Equal((int)GrpcCode.Cancelled, result.GetProperty("error").GetProperty("code").GetInt32());
        long[] at = [.. result.GetProperty("atUnixNs").EnumerateArray().Select(e => long.Parse(e.GetString()!))];
        // interval_ms 200: the second message comes about 200 ms after the first.
        Assert.InRange(at[1] - at[0], 150_000_000L, 2_000_000_000L);
        Assert.All(result.GetProperty("committedSeq").EnumerateArray(), e => Assert.Equal(CaptureFixture.LogFrames.ToString(), e.GetString()));
    }

    [Fact]
    public async Task Query_by_seq_range_streams_the_range_in_batches_in_seq_order()
    {
        JsonElement result = await RunAsync("query", "101-200/30");

        Assert.Equal((int)GrpcCode.Ok, result.GetProperty("code").GetInt32());
        JsonElement[] batches = [.. result.GetProperty("batches").EnumerateArray()];
        Assert.Equal([30, 30, 30, 10], batches.Select(b => b.GetProperty("frames").GetInt32()));
        Assert.Equal(["130", "160", "190", "200"], batches.Select(b => b.GetProperty("throughSeq").GetString()));
        Assert.Equal(capture.CaptureId, batches[0].GetProperty("captureId").GetString());
        Assert.All(batches.Skip(1), b => Assert.Equal("", b.GetProperty("captureId").GetString()));
        Assert.Equal(["vcan0"], result.GetProperty("interfaces").EnumerateObject().Select(p => p.Value.GetString()));
        Assert.Equal(Enumerable.Range(101, 100).Select(i => i.ToString()), result.GetProperty("seqs").EnumerateArray().Select(e => e.GetString()));
        // The replay keeps the recorded timestamps: seq N is line N of the log.
        Assert.Equal(capture.LogLines[100..200], result.GetProperty("lines").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("ack-first")]
    public async Task A_bad_Subscribe_start_is_INVALID_ARGUMENT(string mistake)
    {
        JsonElement result = await RunAsync("subscribe-error", mistake);

        Assert.Equal(0, result.GetProperty("frames").GetInt32());
        JsonElement error = result.GetProperty("error");
        Assert.Equal(3, error.GetProperty("code").GetInt32());
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("codeName").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("details").GetString()));
    }

    [Fact]
    public async Task A_cancelled_Subscribe_ends_on_the_server()
    {
        string name = "cancel-" + Guid.NewGuid().ToString("N")[..8];

        JsonElement result = await RunAsync("subscribe-cancel", name);

        Assert.Equal(1, result.GetProperty("batches").GetInt32());
        Assert.Equal(10, result.GetProperty("firstBatchFrames").GetInt32());
        Assert.Equal((int)GrpcCode.Cancelled, result.GetProperty("error").GetProperty("code").GetInt32());
        // The server saw the reset: the call ended, nothing was acknowledged, the subscriber is registered.
        Assert.True(capture.WaitForOutput($"Subscriber {name} disconnected at acked seq 0.", TimeSpan.FromSeconds(10)), capture.Output);
        Assert.Equal(new object?[] { 0L, 0L }, capture.Query($"SELECT acked_seq, retains FROM subscribers WHERE name = '{name}'").Single());
    }

    [Fact]
    public async Task Health_check()
    {
        JsonElement result = await RunAsync("health");

        Assert.Equal("SERVING", result.GetProperty("(server)").GetString());
        Assert.Equal("SERVING", result.GetProperty("canmesh.v1.Capture").GetString());
        Assert.Equal((int)GrpcCode.NotFound, result.GetProperty("no.such.Service").GetProperty("code").GetInt32());
    }

    private Task<JsonElement> RunAsync(string scenario, string argument = "") => RunScenarioAsync(capture.SocketPath, scenario, argument);

    internal static async Task<JsonElement> RunScenarioAsync(string socketPath, string scenario, string argument = "")
    {
        ProcessResult run = (await InteropTools.RunGrpcJsAsync(scenario, socketPath, argument)).EnsureSuccess();
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

/// <summary>The gRPC status codes the tests look for, as numbers (the wire values).</summary>
internal enum GrpcCode
{
    Ok = 0,
    Cancelled = 1,
    InvalidArgument = 3,
    NotFound = 5,
}
