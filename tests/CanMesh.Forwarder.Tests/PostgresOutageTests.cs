using System.Globalization;
using System.Text.RegularExpressions;
using CanMesh.Client;
using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;
using Xunit.Abstractions;

namespace CanMesh.Forwarder.Tests;

/// <summary>
/// PostgreSQL gone mid-stream (stopped, or frozen by docker pause) and back: the capture records on, the
/// forwarder says once what is wrong and once that it is over, and PostgreSQL ends up with every frame once.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed partial class PostgresOutageTests(PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>At the capture's rate, two seconds of frames recorded while PostgreSQL was away.</summary>
    private const int FramesPerSecond = 3000;
    private const ulong RecordedDuringOutage = 2 * FramesPerSecond;

    /// <summary>
    /// Retries an outage lasts at least: more than the states it passes through before the server is back
    /// (restarting, then unreachable), so one line per retry would show.
    /// </summary>
    private const int RetriesDuringOutage = 3;

    [Fact]
    public async Task Postgres_stopped_and_started_mid_stream_loses_and_repeats_nothing_while_the_capture_records_on() =>
        await RideOutAsync(() => postgres.Container.StopAsync(), () => postgres.Container.StartAsync());

    [Fact]
    public async Task Postgres_paused_and_unpaused_mid_stream_loses_and_repeats_nothing_while_the_capture_records_on() =>
        await RideOutAsync(() => postgres.Container.PauseAsync(), () => postgres.Container.UnpauseAsync());

    private async Task RideOutAsync(Func<Task> takeDown, Func<Task> bringBack)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var folder = new TempFolder();
        using var capture = await CaptureServing.StartAndWaitAsync(LiveStream.Recording(folder, FramesPerSecond).Variables, folder.Socket);
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, connectionString).Variables);
        var captureId = FrameRows.CaptureId(folder.Database);
        await Waiting.UntilAsync(
            async () => await PostgresQueries.SyncedSeqAsync(connectionString, captureId) > 0,
            () => $"the forwarder committed nothing before the outage:\n{forwarder.Output}");

        var committedBefore = await LiveStream.CommittedSeqAsync(folder.Socket);
        ulong committedDuring = 0;
        try
        {
            await takeDown();
            await Waiting.UntilAsync(
                () => Task.FromResult(Lines(forwarder.Stdout, TroubleEvent).Count > 0),
                () => $"the forwarder never said PostgreSQL is in trouble:\n{forwarder.Output}");
            // Counted from the forwarder's first trouble line, not from the fault: a frozen server is only
            // noticed after Postgres:CommandTimeout. The outage lasts until the forwarder has retried a few
            // times (else one line per retry would look the same as one per state).
            var committedAtTrouble = await LiveStream.CommittedSeqAsync(folder.Socket);
            await Waiting.UntilAsync(
                async () => (committedDuring = await LiveStream.CommittedSeqAsync(folder.Socket)) >= committedAtTrouble + RecordedDuringOutage,
                () => $"the capture stopped recording while PostgreSQL was away: committed seq {committedBefore} before, {committedAtTrouble} at the first trouble line, then {committedDuring}\n{capture.Output}");
            await Waiting.UntilAsync(
                () => Task.FromResult(ReportedRetries(forwarder.Stdout) >= RetriesDuringOutage),
                () => $"the forwarder's stats do not show {RetriesDuringOutage} retries:\n{forwarder.Output}");
            await bringBack();
        }
        finally
        {
            await postgres.Container.EnsureRunningAsync();
        }

        // Forwarding again, past what was recorded during the outage.
        long synced = -1;
        await Waiting.UntilAsync(
            async () => (synced = await PostgresQueries.SyncedSeqAsync(connectionString, captureId)) >= (long)committedDuring,
            () => $"PostgreSQL holds seq {synced}, not yet {committedDuring} recorded during the outage:\n{forwarder.Output}");
        await AssertRecordedWithoutLossAsync(folder.Socket);

        using var serving = await LiveStream.StopRecordingAsync(capture, folder);
        await LiveStream.AssertForwardedAsync(connectionString, folder,
            () => $"forwarder:\n{forwarder.Output}\ncapture:\n{capture.Output}\nserving again:\n{serving.Output}");
        AssertOneLinePerState(forwarder.Stdout);
    }

    /// <summary>The capture's queue and store dropped nothing and its sim ran on: the outage did not reach the bus side.</summary>
    private static async Task AssertRecordedWithoutLossAsync(string socket)
    {
        await using var client = new CaptureClient(socket);
        var stats = await client.GetStatsAsync();
        Assert.Equal(0UL, stats.Queue.DroppedFrames);
        Assert.Equal(0UL, stats.Store.StoreDrops);
        Assert.All(stats.Sources, s => Assert.Equal("running", s.State));
    }

    /// <summary>
    /// One trouble line (202) per state PostgreSQL was seen in, never the same state twice in a row whatever the
    /// retries, and one "is back" line (203) for the outage, which counted more retries than there were lines.
    /// </summary>
    private void AssertOneLinePerState(string stdout)
    {
        var trouble = Lines(stdout, TroubleEvent);
        var back = Lines(stdout, BackEvent);
        foreach (var line in trouble.Concat(back)) output.WriteLine(line);
        var states = trouble.Select(l => TroubleState().Match(l) is { Success: true } m ? m.Groups["state"].Value : "?").ToList();
        Assert.NotEmpty(states);
        for (var i = 1; i < states.Count; i++)
        {
            Assert.True(states[i] != states[i - 1], $"state {states[i]} logged twice in a row:\n{string.Join('\n', trouble)}");
        }
        Assert.True(back.Count == 1, $"{back.Count} 'is back' lines for one outage:\n{string.Join('\n', back)}");
        var retries = long.Parse(BackRetries().Match(back[0]).Groups["retries"].Value, CultureInfo.InvariantCulture);
        Assert.True(retries > trouble.Count, $"{trouble.Count} trouble lines for {retries} retries: the outage was too short to tell");
    }

    private const string TroubleEvent = "CanMesh.Forwarder[202]";
    private const string BackEvent = "CanMesh.Forwarder[203]";

    private static List<string> Lines(string stdout, string eventName) =>
        [.. stdout.Split('\n').Where(l => l.Contains(eventName, StringComparison.Ordinal)).Select(l => l.TrimEnd('\r'))];

    [GeneratedRegex(@"\[202\] PostgreSQL \S+: (?<state>[^:]+): ")]
    private static partial Regex TroubleState();

    /// <summary>The retries the forwarder's last stats line (500) reports, 0 before the first.</summary>
    private static long ReportedRetries(string stdout) =>
        StatsRetries().Matches(stdout) is { Count: > 0 } found ? long.Parse(found[^1].Groups["retries"].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"and (?<retries>\d+) retries")]
    private static partial Regex BackRetries();

    [GeneratedRegex(@"\[500\] .*, retries (?<retries>\d+),")]
    private static partial Regex StatsRetries();
}
