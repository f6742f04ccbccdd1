using CanMesh.Capture.Tests.Infrastructure;

namespace CanMesh.Capture.Tests;

/// <summary>
/// When every source has ended and one of them failed, the process exits with a failure, so systemd's
/// Restart=on-failure and docker compose restart policies start it again; inputs that simply ended exit 0.
/// The fault is a real one: a looping replay whose log is deleted while it plays (a log rotated away, a USB
/// stick pulled), so its next pass cannot open it.
/// </summary>
public sealed class FaultedSourcesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_capture_whose_only_source_failed_exits_non_zero_even_when_told_to_keep_running_after_sources_end()
    {
        using var temp = new TempFolder();
        var log = WriteLog(temp, "looped.log");
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "replay0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__0__PATH"] = log,
            ["CANMESH_CAPTURE__INTERFACES__0__LOOP"] = "true",
            ["CANMESH_CAPTURE__INTERFACES__0__PACE"] = "recorded",
            // Keeping the API up after inputs ended is for inputs that ended, not for a capture that broke.
            ["CANMESH_CAPTURE__EXITWHENSOURCESEND"] = "false",
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
        };
        using var capture = CaptureProcess.Start(environment);
        DeleteAfterItsFirstPass(capture, log, "replay0");

        Assert.True(capture.WaitForExit(Timeout), "did not exit after its only source failed:\n" + capture.Output);
        Assert.True(capture.ExitCode != 0, "exit code 0 after the only source failed:\n" + capture.Output);
        Assert.Contains("Every source has ended and 1 of 1 failed (replay0: Could not find file", capture.Stdout);
        Assert.Contains("stopping with exit code 1", capture.Stdout);
        // A file that went away is the input's state, not a bug: its message says it all, without a stack trace.
        Assert.Contains("Source replay0 (replay) failed and stopped: Could not find file", capture.Stdout);
        Assert.DoesNotContain("System.IO.FileNotFoundException", capture.Output);
        // What was read before the fault is still committed.
        Assert.Contains("every frame read is committed", capture.Stdout);
    }

    [Fact]
    public void A_capture_where_one_source_finished_and_another_failed_exits_non_zero_naming_the_failed_one()
    {
        using var temp = new TempFolder();
        var log = WriteLog(temp, "looped.log");
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "sim0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "sim",
            ["CANMESH_CAPTURE__INTERFACES__0__COUNT"] = "100",
            ["CANMESH_CAPTURE__INTERFACES__1__NAME"] = "replay1",
            ["CANMESH_CAPTURE__INTERFACES__1__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__1__PATH"] = log,
            ["CANMESH_CAPTURE__INTERFACES__1__LOOP"] = "true",
            ["CANMESH_CAPTURE__INTERFACES__1__PACE"] = "recorded",
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
        };
        using var capture = CaptureProcess.Start(environment);
        DeleteAfterItsFirstPass(capture, log, "replay1");

        Assert.True(capture.WaitForExit(Timeout), "did not exit after every source ended:\n" + capture.Output);
        Assert.True(capture.ExitCode != 0, "exit code 0 although replay1 failed:\n" + capture.Output);
        var line = Assert.Single(capture.Stdout.Split('\n'), l => l.Contains("Every source has ended", StringComparison.Ordinal));
        Assert.Contains("1 of 2 failed (replay1: Could not find file", line);
        Assert.DoesNotContain("sim0", line);
        Assert.Contains("sim0 (sim, finished)", capture.Stdout);
    }

    [Fact]
    public void A_capture_whose_sources_all_finished_exits_zero()
    {
        using var temp = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "sim0",
            ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "sim",
            ["CANMESH_CAPTURE__INTERFACES__0__COUNT"] = "100",
            ["CANMESH_CAPTURE__INTERFACES__1__NAME"] = "replay1",
            ["CANMESH_CAPTURE__INTERFACES__1__SOURCE"] = "replay",
            ["CANMESH_CAPTURE__INTERFACES__1__PATH"] = WriteLog(temp, "once.log"),
            ["CANMESH_STORE__PATH"] = temp.Database,
            ["CANMESH_API__SOCKETPATH"] = temp.Socket,
        };
        using var capture = CaptureProcess.Start(environment);
        Assert.True(capture.WaitForExit(Timeout), "did not exit after every source ended:\n" + capture.Output);
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
        Assert.Contains("Every source has ended; stopping", capture.Stdout);
        Assert.Equal(100 + 20, temp.Scalar("SELECT count(*) FROM frames"));
    }

    /// <summary>20 frames over 190 ms: a looped pass takes a fifth of a second at the recorded pace.</summary>
    private static string WriteLog(TempFolder temp, string name)
    {
        var path = temp.File(name);
        File.WriteAllLines(path, Enumerable.Range(0, 20).Select(i => $"(1700000000.{i * 10_000:D6}) can0 {0x100 + i:X3}#0011223344556677"));
        return path;
    }

    /// <summary>Deletes the log once a pass over it has ended: the next pass finds no file.</summary>
    private static void DeleteAfterItsFirstPass(CaptureProcess capture, string log, string source)
    {
        Assert.True(capture.WaitForOutput($"Replay {source}: pass 1 of", Timeout), "the first pass did not end:\n" + capture.Output);
        File.Delete(log);
    }
}
