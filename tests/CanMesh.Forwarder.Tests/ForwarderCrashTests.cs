using CanMesh.Client;
using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;
using Xunit.Abstractions;

namespace CanMesh.Forwarder.Tests;

/// <summary>The forwarder killed with SIGKILL at random points of a live stream, and started again each time.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class ForwarderCrashTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Kills = 5;

    [Fact]
    public async Task Forwarder_killed_hard_at_random_points_mid_stream_leaves_postgres_without_gap_or_duplicate()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var folder = new TempFolder();
        using var capture = await CaptureServing.StartAndWaitAsync(LiveStream.Recording(folder, framesPerSecond: 4000).Variables, folder.Socket);
        var captureId = FrameRows.CaptureId(folder.Database);
        // Small transactions, several a second, so a kill at a random moment lands in a COPY, in a commit or
        // between two (between a commit and its ack only by luck: the ack follows at once). Small batches
        // too: a block takes whole batches, so one 4096-frame batch would make the transaction that big
        // whatever MaxFrames says.
        var environment = new ForwarderEnvironment(folder.Socket, connectionString)
            .Set("CANMESH_FORWARDER__COMMIT__MAXFRAMES", "2000")
            .Set("CANMESH_FORWARDER__BATCHFRAMES", "500");
        var killed = new List<string>();
        long synced = 0;
        for (var kill = 1; kill <= Kills; kill++)
        {
            using var doomed = ForwarderProcess.Start(environment.Variables);
            var before = synced;
            await Waiting.UntilAsync(
                async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) > before,
                () => $"forwarder run {kill} committed nothing past seq {before}:\n{doomed.Output}");
            var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(200, 2000));
            await Task.Delay(delay);
            doomed.KillHard();
            // The next run must commit past what this one left, not merely past what it was seen to reach.
            synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId);
            var acked = await AckedSeqAsync(folder.Socket);
            output.WriteLine($"kill {kill}: {delay.TotalMilliseconds:0} ms after progress; PostgreSQL through seq {synced}, acknowledged to the capture through {acked}");
            killed.Add(doomed.Output);
        }

        using var forwarder = ForwarderProcess.Start(environment.Variables);
        using var serving = await LiveStream.StopRecordingAsync(capture, folder);
        await LiveStream.AssertForwardedAsync(connectionString, folder,
            () => $"last forwarder:\n{forwarder.Output}\nkilled ones:\n{string.Join("\n----\n", killed)}\ncapture:\n{capture.Output}\nserving again:\n{serving.Output}");

        forwarder.Terminate();
        Assert.True(await forwarder.WaitForExitAsync(LiveStream.ExitTimeout), $"the forwarder did not stop on SIGTERM:\n{forwarder.Output}");
        Assert.Equal(0, forwarder.ExitCode);
    }

    /// <summary>The forwarder's watermark as the capture stored it (it saves acks about once a second).</summary>
    private static async Task<ulong> AckedSeqAsync(string socket)
    {
        await using var client = new CaptureClient(socket);
        var stats = await client.GetStatsAsync();
        return stats.Store.Subscribers.FirstOrDefault(s => s.Name == "forwarder")?.AckedSeq ?? 0;
    }
}
