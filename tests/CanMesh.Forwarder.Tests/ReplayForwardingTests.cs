using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;

namespace CanMesh.Forwarder.Tests;

/// <summary>A real candump log replayed by the capture service arrives in PostgreSQL complete and unchanged.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class ReplayForwardingTests(PostgresFixture postgres)
{
    private static readonly string LogPath = Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");

    [Fact]
    public async Task Replayed_real_log_arrives_with_the_same_count_bytes_timestamps_and_order_as_in_sqlite()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var folder = new TempFolder();
        var capture = new CaptureEnvironment(folder).Replay("vcan0", LogPath);
        using var captureProcess = await CaptureServing.StartAndWaitAsync(capture.Variables, folder.Socket);
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, connectionString).Variables);

        // The log's frames are all committed once the replay source has finished; then PostgreSQL must catch up.
        var expectedFrames = File.ReadLines(LogPath).Count(l => l.StartsWith('('));
        var captureId = FrameRows.CaptureId(folder.Database);
        await Waiting.UntilAsync(
            async () => await PostgresQueries.SyncedSeqAsync(connectionString, captureId) >= expectedFrames,
            () => $"PostgreSQL did not reach seq {expectedFrames}.\nforwarder:\n{forwarder.Output}\ncapture:\n{captureProcess.Output}");

        var sqlite = FrameRows.FromSqlite(folder.Database);
        Assert.Equal(expectedFrames, sqlite.Count);
        FrameRows.AssertSame(sqlite, await FrameRows.FromPostgresAsync(connectionString, captureId));

        // The capture service lists the forwarder as a retaining subscriber, acknowledged through the last frame.
        await using var client = new CanMesh.Client.CaptureClient(folder.Socket);
        await Waiting.UntilAsync(async () =>
        {
            var stats = await client.GetStatsAsync();
            return stats.Store.Subscribers.Any(s => s.Name == "forwarder" && s.Retains && s.AckedSeq == (ulong)expectedFrames);
        }, () => "the capture service does not show the forwarder as a retaining subscriber acked through the last frame");

        forwarder.Terminate();
        Assert.True(await forwarder.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the forwarder did not stop on SIGTERM");
        Assert.Equal(0, forwarder.ExitCode);
        Assert.Contains("schema canmesh created", forwarder.Stdout, StringComparison.Ordinal);
        Assert.Contains($"through seq {expectedFrames}", forwarder.Stdout, StringComparison.Ordinal);
    }
}
