namespace CanMesh.Capture.Tests;

/// <summary>A crash, kill -9 or power loss is not a stop: the next start says so in the events table.</summary>
public sealed class UncleanShutdownTests
{
    private static Dictionary<string, string> Sim(TempFolder temp, long count) => new()
    {
        ["CANMESH_CAPTURE__INTERFACES__0__NAME"] = "sim0",
        ["CANMESH_CAPTURE__INTERFACES__0__SOURCE"] = "sim",
        ["CANMESH_CAPTURE__INTERFACES__0__FRAMESPERSECOND"] = "5000",
        ["CANMESH_CAPTURE__INTERFACES__0__COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CANMESH_STORE__PATH"] = temp.Database,
        ["CANMESH_API__SOCKETPATH"] = temp.Socket,
    };

    private static void RunToEnd(TempFolder temp, long count)
    {
        using var capture = CaptureProcess.Start(Sim(temp, count));
        Assert.True(capture.WaitForExit(TimeSpan.FromSeconds(60)), "the capture did not end by itself:\n" + capture.Output);
        Assert.True(capture.ExitCode == 0, $"exit code {capture.ExitCode}:\n{capture.Output}");
    }

    /// <summary>Frames stored so far; 0 while the process has not yet created the database or its schema.</summary>
    private static long StoredFrames(TempFolder temp) =>
        File.Exists(temp.Database) && temp.Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'frames'") > 0
            ? temp.Scalar("SELECT count(*) FROM frames") : 0;

    [Fact]
    public void A_restart_after_kill_9_records_an_unclean_shutdown_with_the_last_committed_seq()
    {
        using var temp = new TempFolder();
        using (var killed = CaptureProcess.Start(Sim(temp, count: 0)))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (StoredFrames(temp) < 1000)
            {
                Assert.True(DateTime.UtcNow < deadline && !killed.HasExited, "no frames were committed in time:\n" + killed.Output);
                Thread.Sleep(50);
            }
            killed.KillHard();
        }
        var lastCommitted = temp.Scalar("SELECT max(seq) FROM frames");

        RunToEnd(temp, count: 100);
        var unclean = temp.Query("SELECT id, last_seq, message FROM events WHERE kind = 'UncleanShutdown'");
        var row = Assert.Single(unclean);
        Assert.Equal(lastCommitted, row[1]);
        Assert.Contains($"seq {lastCommitted}", (string)row[2]!);
        // Recorded before the new run's start, which follows it.
        var started = temp.Query("SELECT id FROM events WHERE kind = 'Started' ORDER BY id").Select(r => (long)r[0]!).ToArray();
        Assert.Equal(2, started.Length);
        Assert.True(started[0] < (long)row[0]! && (long)row[0]! < started[1], "the record sits between the killed run's start and the restart's");

        // That run stopped cleanly: the next start finds nothing to report.
        RunToEnd(temp, count: 100);
        Assert.Equal(1L, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'UncleanShutdown'"));
        Assert.Equal(3L, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'Started'"));
    }
}
