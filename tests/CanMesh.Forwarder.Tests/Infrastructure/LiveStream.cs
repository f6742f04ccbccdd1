using CanMesh.Client;

namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>
/// What the fault tests share: a capture recording a simulated bus until told to stop, and the ending every
/// one of them checks (PostgreSQL holds exactly what the capture committed, no gap, no duplicate).
/// </summary>
public static class LiveStream
{
    public const string Interface = "can0";

    /// <summary>A generous bound for a process to exit on SIGTERM on a busy machine.</summary>
    public static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A capture whose sim records without end (no Count): the stream goes on through every fault.</summary>
    public static CaptureEnvironment Recording(TempFolder folder, int framesPerSecond, int seed = 1) =>
        new CaptureEnvironment(folder).Sim(Interface, framesPerSecond, seed);

    /// <summary>
    /// Ends the recording and serves the same database again, so the forwarder can still read what it has not
    /// forwarded yet. SIGTERM first: the capture commits what it queued, and SQLite's last seq is final. The
    /// capture that comes back has one source that adds nothing (an empty candump log), since a source is required.
    /// The stopped process is still the caller's to dispose.
    /// </summary>
    public static async Task<CaptureProcess> StopRecordingAsync(CaptureProcess capture, TempFolder folder)
    {
        capture.Terminate();
        Assert.True(await capture.WaitForExitAsync(ExitTimeout), $"the capture did not stop on SIGTERM:\n{capture.Output}");
        Assert.True(capture.ExitCode == 0, $"the capture exited with {capture.ExitCode} on SIGTERM:\n{capture.Output}");
        var empty = folder.File("nothing.log");
        await File.WriteAllTextAsync(empty, "");
        var serving = new CaptureEnvironment(folder).Replay(Interface, empty);
        return await CaptureServing.StartAndWaitAsync(serving.Variables, folder.Socket);
    }

    /// <summary>How far the capture has committed, from its own stats.</summary>
    public static async Task<ulong> CommittedSeqAsync(string socket)
    {
        await using var client = new CaptureClient(socket);
        return (await client.GetStatsAsync()).Store.CommittedSeq;
    }

    /// <summary>
    /// Waits until PostgreSQL's synced_seq reaches the capture's last seq (<paramref name="expectedLast"/>, or
    /// SQLite's last seq now, once recording has ended), then compares every row: same count, order and
    /// content, no seq twice, none missing, none set aside as a gap or a rejected row, and synced_frames
    /// counting each frame once. SQLite itself must hold every seq from 1 on, or a gap would be expected.
    /// </summary>
    public static async Task AssertForwardedAsync(string connectionString, TempFolder folder, Func<string> describe, long? expectedLast = null)
    {
        var captureId = FrameRows.CaptureId(folder.Database);
        var last = expectedLast ?? folder.Scalar("SELECT max(seq) FROM frames");
        Assert.True(last > 0, "the capture recorded nothing");

        long synced = -1;
        await Waiting.UntilAsync(
            async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) >= last,
            () => $"PostgreSQL holds capture {captureId} through seq {synced}, the capture through {last}.\n{describe()}");
        Assert.Equal(last, synced);

        var sqlite = FrameRows.FromSqlite(folder.Database);
        Assert.True(sqlite.Count == last && SeqOf(sqlite[^1]) == last,
            $"SQLite holds {sqlite.Count} frames, the last one seq {SeqOf(sqlite[^1])}, for seqs 1-{last}: the capture itself has a gap");
        FrameRows.AssertSame(sqlite, await FrameRows.FromPostgresAsync(connectionString, captureId));

        var id = Guid.Parse(captureId);
        Assert.Equal(0, await PostgresQueries.ScalarOrAsync(connectionString, $"SELECT count(*) FROM canmesh.frame_gaps WHERE capture_id = '{id}'"));
        Assert.Equal(0, await PostgresQueries.ScalarOrAsync(connectionString, $"SELECT count(*) FROM canmesh.rejected_frames WHERE capture_id = '{id}'"));
        Assert.Equal(last, await PostgresQueries.ScalarOrAsync(connectionString, $"SELECT synced_frames FROM canmesh.captures WHERE capture_id = '{id}'"));
    }

    /// <summary>A <see cref="FrameRows"/> line's seq (its first field).</summary>
    public static long SeqOf(string row) => long.Parse(row.AsSpan(0, row.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
}
