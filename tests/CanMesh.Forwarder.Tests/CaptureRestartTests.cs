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
        // Every capture process of the test, the killed ones too: each is disposed (and its log kept) at the end.
        var captures = new List<CaptureProcess> { await CaptureServing.StartAndWaitAsync(recording.Variables, folder.Socket) };
        try
        {
            // Small transactions and batches, as in ForwarderCrashTests: the kill lands among many commits and acks.
            using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, connectionString)
                .Set("CANMESH_FORWARDER__COMMIT__MAXFRAMES", "2000")
                .Set("CANMESH_FORWARDER__BATCHFRAMES", "500")
                .Variables);
            string Describe() => $"forwarder:\n{forwarder.Output}\n" + string.Join("\n", captures.Select((c, i) => $"capture {i + 1}:\n{c.Output}"));
            var captureId = FrameRows.CaptureId(folder.Database);
            long synced = 0;
            for (var kill = 1; kill <= Kills; kill++)
            {
                var before = synced;
                await Waiting.UntilAsync(
                    async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) > before,
                    () => $"the forwarder committed nothing past seq {before} before kill {kill}:\n{Describe()}");
                var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(200, 2000));
                await Task.Delay(delay);
                captures[^1].KillHard();

                // What the killed capture committed is what SQLite holds now; what it had only queued is gone
                // with it, and the next capture's seqs continue after this.
                var committed = folder.Scalar("SELECT max(seq) FROM frames");
                output.WriteLine($"kill {kill}: {delay.TotalMilliseconds:0} ms after progress; the capture had committed through seq {committed}, PostgreSQL held {await PostgresQueries.SyncedSeqAsync(connectionString, captureId)}");
                captures.Add(await CaptureServing.StartAndWaitAsync(recording.Variables, folder.Socket));
                Assert.Equal(captureId, FrameRows.CaptureId(folder.Database));

                // The forwarder rides out the restart in its subscription, and catches up past the kill.
                await Waiting.UntilAsync(
                    async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) >= committed,
                    () => $"PostgreSQL holds seq {synced}, not yet {committed} committed before kill {kill}:\n{Describe()}");
                Assert.False(forwarder.HasExited, $"the forwarder exited when the capture was killed:\n{Describe()}");
            }

            captures.Add(await LiveStream.StopRecordingAsync(captures[^1], folder));
            await LiveStream.AssertForwardedAsync(connectionString, folder, Describe);

            forwarder.Terminate();
            Assert.True(await forwarder.WaitForExitAsync(LiveStream.ExitTimeout), $"the forwarder did not stop on SIGTERM:\n{forwarder.Output}");
            Assert.Equal(0, forwarder.ExitCode);
        }
        finally
        {
            foreach (var capture in captures) capture.Dispose();
        }
    }
}
