using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CanMesh.Cli.Tests.Live.Infrastructure;

namespace CanMesh.Cli.Tests.Live;

/// <summary>canmesh status against a running capture service.</summary>
[Collection(RunningCaptureCollection.Name)]
public sealed partial class StatusTests(RunningCapture capture)
{
    [Fact]
    public async Task The_table_lists_each_source_with_its_state_and_counts_and_the_committed_seq()
    {
        var before = await capture.Client.GetStatsAsync();
        var status = await Canmesh.RunAsync(capture.SocketPath, "status");
        var after = await capture.Client.GetStatsAsync();

        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Equal("", status.Stderr);
        var header = CommittedSeq().Match(status.Stdout);
        Assert.True(header.Success, status.Stdout);
        var committed = ulong.Parse(header.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(committed, before.Store.CommittedSeq, after.Store.CommittedSeq);
        Assert.Contains(before.Store.CaptureId, status.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\| replay0 +\| replay +\| finished +\| +- +\| +12,974 \|", status.Stdout);
        Assert.Matches(@"\| sim0 +\| sim +\| running +\|", status.Stdout);
        Assert.Contains("kernel drops", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("subscribers", status.Stdout, StringComparison.Ordinal);
        // No terminal: no escape sequences and no box drawing in what scripts and logs get.
        Assert.DoesNotContain('\u001b', status.Stdout);
        Assert.All(status.Stdout, c => Assert.True(c < 128, $"non-ASCII {(int)c} in the table"));
    }

    [Fact]
    public async Task Json_has_the_numbers_of_GetStats_as_numbers()
    {
        var before = await capture.Client.GetStatsAsync();
        var status = await Canmesh.RunAsync(capture.SocketPath, "status", "--json");
        var after = await capture.Client.GetStatsAsync();

        Assert.True(status.ExitCode == 0, status.Output);
        using var json = JsonDocument.Parse(Assert.Single(Output.Lines(status.Stdout)));
        var root = json.RootElement;
        var store = root.GetProperty("store");
        Assert.Equal(before.Store.CaptureId, store.GetProperty("capture_id").GetString());
        Assert.Equal(before.Store.Path, store.GetProperty("path").GetString());
        Assert.InRange(store.GetProperty("committed_seq").GetUInt64(), before.Store.CommittedSeq, after.Store.CommittedSeq);
        Assert.InRange(store.GetProperty("rows").GetUInt64(), before.Store.Rows, after.Store.Rows);
        Assert.Equal(before.Store.FirstSeq, store.GetProperty("first_seq").GetUInt64());
        Assert.Equal(before.Queue.CapacityFrames, root.GetProperty("queue").GetProperty("capacity_frames").GetUInt64());
        var sources = root.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["replay0", "sim0"], sources.Keys.Order(StringComparer.Ordinal));
        var replay = sources["replay0"];
        Assert.Equal(before.Sources.Single(s => s.Name == "replay0").Frames, replay.GetProperty("frames").GetUInt64());
        Assert.Equal(12974UL, replay.GetProperty("frames").GetUInt64());
        Assert.Equal("finished", replay.GetProperty("state").GetString());
        Assert.Equal(0UL, replay.GetProperty("kernel_drops").GetUInt64());
        Assert.InRange(sources["sim0"].GetProperty("frames").GetUInt64(),
            before.Sources.Single(s => s.Name == "sim0").Frames, after.Sources.Single(s => s.Name == "sim0").Frames);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("subscribers").ValueKind);
    }

    [Fact]
    public async Task Watch_with_json_prints_one_object_per_interval_until_stopped()
    {
        using var watch = Canmesh.Start(capture.SocketPath, "status", "--watch", "--json", "--interval", "200ms");
        Assert.True(watch.WaitForOutput(o => Output.Lines(o).Length >= 3, TimeSpan.FromSeconds(30)), watch.Output);
        watch.Terminate();
        Assert.True(await watch.WaitForExitAsync(TimeSpan.FromSeconds(30)), watch.Output);

        var seqs = Output.Lines(watch.Stdout).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("store").GetProperty("committed_seq").GetUInt64();
        }).ToList();
        Assert.True(seqs.Count >= 3, watch.Output);
        Assert.Equal(seqs.Order(), seqs);
        Output.AssertNoStackTrace(watch);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--json")]
    public async Task Watch_into_head_ends_quietly_when_head_has_its_lines(string json)
    {
        var (exitCode, stdout, stderr) = await Shell.RunAsync(capture.SocketPath,
            $"dotnet \"$0\" status --socket \"$1\" --watch --interval 200ms {json} | head -n 3; exit ${{PIPESTATUS[0]}}");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        Assert.Equal(3, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task An_unknown_socket_is_one_line_and_exit_code_1()
    {
        var missing = Path.Combine(Path.GetTempPath(), "cm-none-" + Guid.NewGuid().ToString("N")[..8], "capture.sock");
        var status = await Canmesh.RunAsync(missing, "status");

        Output.AssertOneErrorLine(status, 1, $"cannot reach the capture service at {missing}: no socket there");
        Assert.Contains("CANMESH_SOCKET", status.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_interval_is_one_line_and_exit_code_2()
    {
        var status = await Canmesh.RunAsync(capture.SocketPath, "status", "--watch", "--interval", "soon");

        Output.AssertOneErrorLine(status, 2, "--interval");
    }

    [GeneratedRegex(@"committed seq (\d+) \(at ")]
    private static partial Regex CommittedSeq();
}
