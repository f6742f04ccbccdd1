using System.Text.Json;
using CanMesh.Cli.Tests.Live.Infrastructure;
using CanMesh.Client;
using CanMesh.Protos.V1;

namespace CanMesh.Cli.Tests.Live;

/// <summary>canmesh subscribers and subscribers remove, against subscribers made with the typed client.</summary>
[Collection(RunningCaptureCollection.Name)]
public sealed class SubscribersTests(RunningCapture capture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_list_shows_a_retaining_subscriber_with_its_watermark_and_lag()
    {
        var name = await DisconnectedRetainingSubscriberAsync();

        var table = await Canmesh.RunAsync(capture.SocketPath, "subscribers");
        var json = await Canmesh.RunAsync(capture.SocketPath, "subscribers", "--json");

        Assert.True(table.ExitCode == 0, table.Output);
        var stats = (await capture.Client.GetStatsAsync()).Store.Subscribers.Single(s => s.Name == name);
        Assert.Matches($@"\| {name} +\| +{stats.AckedSeq} \| +[\d,]+ \| yes +\| no +\|", table.Stdout);
        Assert.True(json.ExitCode == 0, json.Output);
        using var document = JsonDocument.Parse(json.Stdout);
        var listed = document.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
        Assert.Equal(stats.AckedSeq, listed.GetProperty("acked_seq").GetUInt64());
        Assert.True(listed.GetProperty("retains").GetBoolean());
        Assert.False(listed.GetProperty("connected").GetBoolean());
        Assert.True(listed.GetProperty("pending").GetUInt64() > 0, "the sim goes on committing");
    }

    [Fact]
    public async Task Removing_a_retaining_subscriber_needs_yes_in_a_script()
    {
        var name = await DisconnectedRetainingSubscriberAsync();

        var refused = await Canmesh.RunAsync(capture.SocketPath, "subscribers", "remove", name);

        Output.AssertOneErrorLine(refused, 2, $"{name} holds retention (");
        Assert.Contains("frames pending); pass --yes to remove it", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(name, (await capture.Client.GetStatsAsync()).Store.Subscribers.Select(s => s.Name));

        var removed = await Canmesh.RunAsync(capture.SocketPath, "subscribers", "remove", name, "--yes");

        Assert.True(removed.ExitCode == 0, removed.Output);
        Assert.Matches($"^removed {name} at acked seq \\d+; it retained: its \\d+ pending frames are no longer kept for it$", Output.Lines(removed.Stdout).Single());
        Assert.DoesNotContain(name, (await capture.Client.GetStatsAsync()).Store.Subscribers.Select(s => s.Name));
    }

    [Fact]
    public async Task A_subscriber_that_does_not_retain_is_removed_without_asking()
    {
        var name = "cli-plain-" + Guid.NewGuid().ToString("N")[..8];
        await using (var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = name, From = SubscriptionStart.Live }))
        {
            await subscription.ReadAsync().AsTask().WaitAsync(Deadline);
        }
        await WaitForAsync(name, s => !s.Connected);

        var removed = await Canmesh.RunAsync(capture.SocketPath, "subscribers", "remove", name);

        Assert.True(removed.ExitCode == 0, removed.Output);
        Assert.StartsWith($"removed {name} at acked seq ", removed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(name, (await capture.Client.GetStatsAsync()).Store.Subscribers.Select(s => s.Name));
    }

    [Fact]
    public async Task A_subscriber_with_a_stream_open_is_not_removed()
    {
        var name = "cli-open-" + Guid.NewGuid().ToString("N")[..8];
        await using var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = name, From = SubscriptionStart.Live, Retain = true });
        await subscription.ReadAsync().AsTask().WaitAsync(Deadline);

        var remove = await Canmesh.RunAsync(capture.SocketPath, "subscribers", "remove", name, "--yes");

        Output.AssertOneErrorLine(remove, 1, $"cannot remove {name}: Subscriber '{name}' has a stream open; stop that client first");
        Assert.True((await capture.Client.GetStatsAsync()).Store.Subscribers.Single(s => s.Name == name).Connected);
    }

    [Fact]
    public async Task An_unknown_subscriber_is_one_line_and_exit_code_1()
    {
        var remove = await Canmesh.RunAsync(capture.SocketPath, "subscribers", "remove", "nobody-" + Guid.NewGuid().ToString("N")[..8]);

        Output.AssertOneErrorLine(remove, 1, "No subscriber named 'nobody-");
    }

    /// <summary>A retaining subscriber that acknowledged one batch and went away: it holds retention from there.</summary>
    private async Task<string> DisconnectedRetainingSubscriberAsync()
    {
        var name = "cli-ret-" + Guid.NewGuid().ToString("N")[..8];
        ulong acked;
        await using (var subscription = capture.Client.Subscribe(new SubscriptionOptions { Subscriber = name, Retain = true, MaxBatchFrames = 100 }))
        {
            var batch = await subscription.ReadAsync().AsTask().WaitAsync(Deadline);
            subscription.Ack(batch);
            acked = batch.ThroughSeq;
        }
        await WaitForAsync(name, s => !s.Connected && s.AckedSeq == acked);
        return name;
    }

    private async Task WaitForAsync(string name, Func<SubscriberStats, bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!(await capture.Client.GetStatsAsync()).Store.Subscribers.Any(s => s.Name == name && condition(s)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{name} did not show up as expected: {await capture.Client.GetStatsAsync()}");
            await Task.Delay(50);
        }
    }
}
