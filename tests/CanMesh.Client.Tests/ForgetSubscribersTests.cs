using CanMesh.Protos.V1;

namespace CanMesh.Client.Tests;

/// <summary>
/// Subscribers that do not retain are forgotten a while after their stream ends (Store:Subscribers:ForgetAfter),
/// so short sessions (live views, buf curl) do not stay in every later stats line: the real executable with a
/// short ForgetAfter.
/// </summary>
public sealed class ForgetSubscribersTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Twenty_short_sessions_are_forgotten_after_ForgetAfter_while_a_retaining_and_a_connected_one_stay()
    {
        using var folder = new TempFolder();
        var environment = new CaptureEnvironment(folder)
            .Sim("sim0", 1000)
            .Set("CANMESH_STORE__SUBSCRIBERS__FORGETAFTER", "2s")
            .Set("CANMESH_STORE__RETENTION__CHECKINTERVAL", "250ms");
        using var capture = await CaptureServing.StartAndWaitAsync(environment.Variables, folder.Socket);
        await using var client = new CaptureClient(folder.Socket);

        // Open from before the first view until the end, never acknowledging: by the time the last view is
        // forgotten, it too has had no ack for longer than ForgetAfter, and only its open stream keeps it.
        await using var open = client.Subscribe(new SubscriptionOptions { Subscriber = "open-view", From = SubscriptionStart.Live });
        await open.ReadAsync().AsTask().WaitAsync(Deadline);
        await ReadOneBatchAndLeaveAsync(client, "keeper", retain: true);
        var views = Enumerable.Range(0, 20).Select(i => $"view-{i:00}").ToArray();
        var viewAcked = new Dictionary<string, ulong>();
        foreach (var view in views) viewAcked[view] = await ReadOneBatchAndLeaveAsync(client, view, retain: false);

        var stats = await WaitForStatsAsync(client, s => !s.Store.Subscribers.Any(x => x.Name.StartsWith("view-", StringComparison.Ordinal)),
            "the 20 views are forgotten");
        Assert.Equal(["keeper", "open-view"], stats.Store.Subscribers.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.True(stats.Store.Subscribers.Single(s => s.Name == "open-view").Connected);

        // Durable, and recorded: the rows are gone from the database, with event rows naming each view.
        await WaitForAsync(() => folder.Scalar("SELECT COALESCE(sum(count), 0) FROM events WHERE kind = 'SubscribersForgotten'") == 20,
            () => "SubscribersForgotten events counting 20 subscribers", capture);
        Assert.Equal(["keeper", "open-view"], folder.Query("SELECT name FROM subscribers ORDER BY name").Select(r => (string)r[0]!));
        var messages = string.Join('\n', folder.Query("SELECT message FROM events WHERE kind = 'SubscribersForgotten'").Select(r => (string)r[0]!));
        Assert.All(views, view => Assert.Contains(view, messages, StringComparison.Ordinal));
        Assert.Contains("Forgot ", capture.Stdout, StringComparison.Ordinal);

        // The stats log, where the names piled up, names only the two that stay.
        await WaitForAsync(() => LastStoreStatsLine(capture) is { } line && line.Contains("pending[keeper]", StringComparison.Ordinal)
                && line.Contains("pending[open-view]", StringComparison.Ordinal) && !line.Contains("pending[view-", StringComparison.Ordinal),
            () => $"a stats line without the views; the last one: {LastStoreStatsLine(capture)}", capture);

        // A forgotten subscriber that comes back with resume starts as a new one: from the first stored frame,
        // not after what it once acknowledged.
        await using (var back = client.Subscribe(new SubscriptionOptions { Subscriber = "view-00", From = SubscriptionStart.Resume }))
        {
            var batch = await back.ReadAsync().AsTask().WaitAsync(Deadline);
            Assert.True(viewAcked["view-00"] > 1, "view-00 had acknowledged frames before it was forgotten");
            Assert.Equal(stats.Store.FirstSeq, batch.Frames[0].Seq);
        }

        // Once its stream ends, the one that was open is forgotten too; the retaining one never is.
        await open.DisposeAsync();
        stats = await WaitForStatsAsync(client, s => s.Store.Subscribers.All(x => x.Name == "keeper"), "only the retaining subscriber is left");
        Assert.Single(stats.Store.Subscribers);
    }

    /// <summary>A short session: resume, read a batch, acknowledge it, leave cleanly. Returns the seq acknowledged.</summary>
    private static async Task<ulong> ReadOneBatchAndLeaveAsync(CaptureClient client, string name, bool retain)
    {
        await using var subscription = client.Subscribe(new SubscriptionOptions { Subscriber = name, Retain = retain, MaxBatchFrames = 100 });
        var batch = await subscription.ReadAsync().AsTask().WaitAsync(Deadline);
        subscription.Ack(batch);
        return batch.ThroughSeq;
    }

    private static string? LastStoreStatsLine(CaptureProcess capture) =>
        capture.Stdout.Split('\n').LastOrDefault(l => l.Contains("stats queue:", StringComparison.Ordinal));

    private static async Task<Stats> WaitForStatsAsync(CaptureClient client, Func<Stats, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var stats = await client.GetStatsAsync();
            if (condition(stats)) return stats;
            Assert.True(DateTime.UtcNow < deadline, $"waited {Deadline.TotalSeconds} s until {what}; subscribers now: " +
                string.Join(", ", stats.Store.Subscribers.Select(s => $"{s.Name} (connected={s.Connected}, retains={s.Retains})")));
            await Task.Delay(100);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string> what, CaptureProcess capture)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Deadline.TotalSeconds} s for {what()}\n{capture.Output}");
            await Task.Delay(100);
        }
    }
}
