using System.Text.RegularExpressions;
using CanMesh.Capture.Tests.Infrastructure;

namespace CanMesh.Capture.Tests;

/// <summary>ARCHITECTURE.md invariant 7: SIGTERM drains and commits every frame read, and exits cleanly within seconds.</summary>
public sealed partial class ShutdownTests
{
    [Fact]
    public void Sigterm_during_a_replay_commits_every_frame_read_and_exits_zero()
    {
        using var temp = new TempFolder();
        var config = temp.File("capture.json");
        File.WriteAllText(config, $$"""
            {
              "Capture": {
                "Interfaces": [ { "Name": "replay0", "Source": "replay", "Path": "{{Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log")}}", "Pace": "recorded" } ],
                "Stats": { "Interval": "200ms" }
              },
              "Store": { "Path": "{{temp.Database}}" },
              "Api": { "SocketPath": "{{temp.File("capture.sock")}}" }
            }
            """);
        using var capture = CaptureProcess.Start("--config", config);
        // The log spans 8 s at its recorded pace: stop it in the middle, once a stats line shows it well started.
        WaitUntilRead(capture, 1_000);

        capture.Terminate();
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(15)), "did not exit within 15 s of SIGTERM:\n" + capture.Stdout);
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");

        // The last stats line is written after the drain: what the source read is what the database holds.
        var read = long.Parse(FramesRead().Matches(capture.Stdout)[^1].Groups[1].Value);
        Assert.True(read is > 0 and < 12_974, $"expected to stop in the middle of the log, read {read}");
        Assert.Equal(new object?[] { read, 1L, read }, temp.Query("SELECT count(*), min(seq), max(seq) FROM frames")[0]);
        Assert.Equal(0L, temp.Scalar("SELECT COALESCE(SUM(count), 0) FROM events WHERE kind = 'QueueOverflow'"));
        Assert.Equal(new object?[] { "Stopped", read }, temp.Query("SELECT kind, count FROM events ORDER BY id DESC LIMIT 1")[0]);
        Assert.Contains("every frame read is committed", capture.Stdout);
    }

    [Fact]
    public void Sigterm_during_a_simulated_bus_commits_every_frame_read()
    {
        using var temp = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "sim0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "sim",
            ["CANMESH_CAPTURE__INTERFACES__0__FRAMESPERSECOND"] = "20000",
            ["CANMESH_CAPTURE__INTERFACES__0__FDSHARE"] = "0.3",
            ["CANMESH_CAPTURE__INTERFACES__1__NAME"] = "sim1",
            ["CANMESH_CAPTURE__INTERFACES__1__SOURCE"] = "sim",
            ["CANMESH_CAPTURE__INTERFACES__1__FRAMESPERSECOND"] = "20000",
            ["CANMESH_CAPTURE__STATS__INTERVAL"] = "200ms",
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.File("capture.sock"),
        };
        using var capture = CaptureProcess.Start(environment);
        WaitUntilRead(capture, 5_000);

        capture.Terminate();
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(15)), "did not exit within 15 s of SIGTERM:\n" + capture.Stdout);
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");

        var perSource = FramesReadPerSource().Matches(capture.Stdout)
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => long.Parse(g.Last().Groups[2].Value));
        Assert.True(perSource.Count == 2, "expected final stats lines for sim0 and sim1:\n" + capture.Stdout);
        foreach (var (name, frames) in perSource)
        {
            Assert.True(frames > 0, $"{name} read no frames:\n" + capture.Stdout);
            Assert.Equal(frames, temp.Scalar($"SELECT count(*) FROM frames f JOIN interfaces i ON i.id = f.iface WHERE i.name = '{name}'"));
        }
        var total = perSource.Values.Sum();
        Assert.Equal(new object?[] { total, total }, temp.Query("SELECT count(*), max(seq) FROM frames")[0]);
    }

    /// <summary>Until a stats line says at least <paramref name="frames"/> were read (per source), however long a loaded machine takes.</summary>
    private static void WaitUntilRead(CaptureProcess capture, long frames)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!FramesRead().Matches(capture.Stdout).Any(m => long.Parse(m.Groups[1].Value) >= frames))
        {
            Assert.True(DateTime.UtcNow < deadline && !capture.HasExited, $"no stats line with {frames} frames read in time:\n" + capture.Output);
            Thread.Sleep(50);
        }
    }

    [GeneratedRegex(@"\): frames=(\d+)")]
    private static partial Regex FramesRead();

    [GeneratedRegex(@"stats (\w+) \(sim, [a-z]+\): frames=(\d+)")]
    private static partial Regex FramesReadPerSource();
}
