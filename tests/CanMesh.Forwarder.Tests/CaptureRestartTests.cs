using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;
using Xunit.Abstractions;

namespace CanMesh.Forwarder.Tests;

/// <summary>The capture service killed with SIGKILL mid-stream and started again on the same database, under a running forwarder.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class CaptureRestartTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Kills = 2;

    [Fact]
    public async Task Capture_killed_hard_and_restarted_on_its_database_has_every_committed_frame_forwarded_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var folder = new TempFolder();
        var recording = LiveStream.Recording(folder, framesPerSecond: 4000);
        var capture = await CaptureServing.StartAndWaitAsync(recording.Variables, folder.Socket);
        var killed = new List<string>();
        // Small transactions and batches, as in ForwarderCrashTests: the kill lands among many commits and acks.
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, connectionString)
            .Set("CANMESH_FORWARDER__COMMIT__MAXFRAMES", "2000")
            .Set("CANMESH_FORWARDER__BATCHFRAMES", "500")
            .Variables);
        try
        {
            var captureId = FrameRows.CaptureId(folder.Database);
            long synced = 0;
            for (var kill = 1; kill <= Kills; kill++)
            {
                var before = synced;
                await Waiting.UntilAsync(
                    async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) > before,
                    () => $"the forwarder committed nothing past seq {before} before kill {kill}:\n{forwarder.Output}");
                var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(200, 2000));
                await Task.Delay(delay);
                capture.KillHard();
                killed.Add(capture.Output);
                capture.Dispose();

                // What the killed capture committed is what SQLite holds now; what it had only queued is gone
                // with it, and the next capture's seqs continue after this.
                var committed = folder.Scalar("SELECT max(seq) FROM frames");
                output.WriteLine($"kill {kill}: {delay.TotalMilliseconds:0} ms after progress; the capture had committed through seq {committed}, PostgreSQL held {await PostgresQueries.SyncedSeqAsync(connectionString, captureId)}");
                capture = await CaptureServing.StartAndWaitAsync(recording.Variables, folder.Socket);
                Assert.Equal(captureId, FrameRows.CaptureId(folder.Database));

                // The forwarder rides out the restart in its subscription, and catches up past the kill.
                await Waiting.UntilAsync(
                    async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) >= committed,
                    () => $"PostgreSQL holds seq {synced}, not yet {committed} committed before kill {kill}:\n{forwarder.Output}\ncapture:\n{capture.Output}");
                Assert.False(forwarder.HasExited, $"the forwarder exited when the capture was killed:\n{forwarder.Output}");
            }

            capture = await LiveStream.StopRecordingAsync(capture, folder);
            await LiveStream.AssertForwardedAsync(connectionString, folder,
                () => $"forwarder:\n{forwarder.Output}\ncapture:\n{capture.Output}\nkilled captures:\n{string.Join("\n----\n", killed)}");

            forwarder.Terminate();
            Assert.True(await forwarder.WaitForExitAsync(LiveStream.ExitTimeout), $"the forwarder did not stop on SIGTERM:\n{forwarder.Output}");
            Assert.Equal(0, forwarder.ExitCode);
        }
        finally
        {
            capture.Dispose();
        }
    }
}
