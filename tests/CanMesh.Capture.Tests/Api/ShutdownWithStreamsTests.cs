using System.Diagnostics;
using CanMesh.Capture.Tests.Infrastructure;
using CanMesh.Client;
using Xunit.Abstractions;

namespace CanMesh.Capture.Tests.Api;

/// <summary>
/// SIGTERM while subscribers stream: the streams end at once with UNAVAILABLE instead of holding the
/// stop, every frame read is committed, and after a restart the subscribers go on with nothing lost or twice.
/// </summary>
[Collection(ApiProcessCollection.Name)]
public sealed class ShutdownWithStreamsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>docker stop's grace period: a stop that takes longer is killed and loses its last frames.</summary>
    private static readonly TimeSpan DockerGrace = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Sigterm_ends_two_open_streams_with_UNAVAILABLE_commits_everything_and_the_subscribers_resume_without_loss_or_duplicates()
    {
        using var folder = new TempFolder();
        var environment = new CaptureEnvironment(folder).Sim("sim0", 4000, fdShare: 0.2).Sim("sim1", 2000, seed: 9).Variables;
        var first = await CaptureServing.StartAndWaitAsync(environment, folder.Socket);
        CaptureProcess? second = null;
        var logs = new RecordingLoggerFactory();
        await using var client = new CaptureClient(folder.Socket, new CaptureClientOptions { LoggerFactory = logs });
        using var stopReading = new CancellationTokenSource();
        try
        {
            var readers = new[] { "forwarder", "flipper" }.Select(name => new Reader(client.Subscribe(new SubscriptionOptions
            {
                Subscriber = name,
                From = SubscriptionStart.AfterSeq(0),
                Retain = name == "forwarder",
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            }))).ToArray();
            var reading = readers.Select(r => r.RunAsync(stopReading.Token)).ToArray();
            await WaitUntilAsync(() => readers.All(r => r.Delivered > 10_000), "both subscribers streaming");

            var clock = Stopwatch.StartNew();
            first.Terminate();
            Assert.True(await first.WaitForExitAsync(DockerGrace), $"the capture did not exit within {DockerGrace} of SIGTERM:\n{first.Output}");
            var stopTime = clock.Elapsed;
            output.WriteLine($"SIGTERM to exit with two open Subscribe streams: {stopTime.TotalMilliseconds:F0} ms");
            Assert.Equal(0, first.ExitCode);

            // Every frame the sources read is committed: the Stopped event counts what was read.
            var read = folder.Scalar("SELECT count FROM events WHERE kind = 'Stopped'");
            Assert.Equal(read, folder.Scalar("SELECT count(*) FROM frames"));
            Assert.Equal(read, folder.Scalar("SELECT max(seq) FROM frames"));
            // Both streams ended with UNAVAILABLE, saying why, not with a reset connection.
            await WaitUntilAsync(() => logs.Messages.Count(m => m.Contains("StatusCode=\"Unavailable\"") && m.Contains("shutting down")) >= 2,
                "both subscriptions to report UNAVAILABLE", () => "The subscriptions logged:\n" + string.Join("\n", logs.Messages.Where(m => m.StartsWith("Subscription", StringComparison.Ordinal))));

            second = CaptureProcess.Start(environment);
            await second.WaitUntilServingAsync(folder.Socket, Timeout);
            await WaitUntilAsync(() => readers.All(r => r.Delivered > (ulong)read + 10_000), "both subscribers past the restart",
                () => string.Join("; ", readers.Select(r => $"{r.Name} delivered {r.Delivered}, {r.Subscription.Reconnects} reconnects, {r.Failure}")) +
                    $"; committed {folder.Scalar("SELECT max(seq) FROM frames")}. The client logged:\n" + string.Join("\n", logs.Messages.Where(m => !m.Contains("essage")).TakeLast(40)));
            await stopReading.CancelAsync();
            await Task.WhenAll(reading);

            foreach (var reader in readers)
            {
                // Dense from seq 1 across the restart: nothing lost, nothing twice.
                Assert.Equal(1UL, reader.Seqs[0]);
                Assert.True(reader.Seqs.Zip(reader.Seqs.Skip(1)).All(p => p.Second == p.First + 1), $"{reader.Name}: seqs are not dense");
                Assert.True(reader.Subscription.Reconnects >= 1);
            }
            output.WriteLine(string.Join("; ", readers.Select(r => $"{r.Name}: {r.Seqs.Count} frames, {r.Subscription.Reconnects} reconnects")));
        }
        finally
        {
            await stopReading.CancelAsync();
            first.Dispose();
            second?.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}. {detail?.Invoke()}");
            await Task.Delay(20);
        }
    }

    private sealed class Reader(Subscription subscription)
    {
        public Subscription Subscription { get; } = subscription;
        public string Name => Subscription.Subscriber;
        public List<ulong> Seqs { get; } = [];
        public ulong Delivered => Volatile.Read(ref _delivered);
        public string? Failure { get; private set; }
        private ulong _delivered;

        public async Task RunAsync(CancellationToken stop)
        {
            await using var _ = Subscription;
            try
            {
                while (true)
                {
                    var batch = await Subscription.ReadDecodedAsync(stop);
                    foreach (var seq in batch.Seqs) Seqs.Add(seq);
                    Volatile.Write(ref _delivered, batch.ThroughSeq);
                    Subscription.Ack(batch);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Failure = e.ToString();
                throw;
            }
        }
    }
}
