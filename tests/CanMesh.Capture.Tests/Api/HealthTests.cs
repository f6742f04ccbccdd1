using CanMesh.Capture.Api;
using CanMesh.Capture.Api.Health;
using CanMesh.Capture.Configuration;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Capture.Sources.Sim;
using CanMesh.Client;
using CanMesh.Store;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace CanMesh.Capture.Tests.Api;

/// <summary>grpc.health.v1 tells the truth about the store writer and the sources.</summary>
[Collection(ApiProcessCollection.Name)]
public sealed class HealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_writer_that_faults_turns_health_NOT_SERVING()
    {
        using var temp = new TempFolder();
        using var journal = FrameJournal.Open(new StoreSettings { Path = temp.Database });
        var corrupt = new CorruptFrameSource();
        var sim = new SimSource("sim0", new SimSettings { FramesPerSecond = 1000 });
        var pipeline = new CapturePipeline(journal, [sim, corrupt], new PipelineSettings { CommitMaxDelay = TimeSpan.FromMilliseconds(20) },
            NullLoggerFactory.Instance, TimeProvider.System);
        var health = new HealthServiceImpl();
        var monitor = new CaptureHealthMonitor(health, () => pipeline, TimeSpan.FromSeconds(30), new StubLifetime(), TimeProvider.System, NullLogger.Instance);

        Assert.Equal(ServingStatus.NotServing, await StatusAsync(health, "")); // starting: nothing runs yet
        pipeline.Start();
        await WaitUntilAsync(() => journal.CommittedSeq > 0, "the sim's first commit");
        Assert.True(monitor.CheckNow().Serving);
        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, ""));
        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, CaptureApi.ServiceName));

        // A source bug hands the writer a frame that claims 200 data bytes: the writer thread dies on it.
        corrupt.Release.Set();
        await pipeline.WriterFailed.WaitAsync(Timeout);

        var verdict = monitor.CheckNow();
        Assert.False(verdict.Serving);
        Assert.StartsWith("the store writer failed", verdict.Reason);
        Assert.Equal(ServingStatus.NotServing, await StatusAsync(health, ""));
        Assert.Equal(ServingStatus.NotServing, await StatusAsync(health, CaptureApi.ServiceName));
        // Stopping reports the fault too, rather than claiming everything was committed.
        var stop = Assert.Throws<InvalidOperationException>(pipeline.Dispose);
        Assert.Contains("claims 200 data bytes", stop.InnerException?.Message);
    }

    [Fact]
    public async Task A_writer_stuck_behind_another_process_lock_is_NOT_SERVING_until_the_lock_is_released()
    {
        using var folder = new TempFolder();
        var environment = new CaptureEnvironment(folder).Sim("sim0", 2000).Variables
            .Concat([new KeyValuePair<string, string>("CANMESH_API__HEALTHSTALLTIMEOUT", "1s")]).ToDictionary();
        using var capture = await CaptureServing.StartAndWaitAsync(environment, folder.Socket);
        using var channel = CaptureChannel.ForUnixSocket(folder.Socket);
        var health = new Health.HealthClient(channel);
        Assert.Equal(ServingStatus.Serving, await WaitForStatusAsync(health, ServingStatus.Serving));

        // Another process takes the database's write lock and keeps it (a sqlite3 shell left in a transaction).
        using (var intruder = new SqliteConnection($"Data Source={folder.Database};Default Timeout=30"))
        {
            intruder.Open();
            using var begin = intruder.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();

            Assert.Equal(ServingStatus.NotServing, await WaitForStatusAsync(health, ServingStatus.NotServing));
            Assert.True(capture.WaitForOutput("Health: NOT_SERVING", Timeout), capture.Output);

            using var rollback = intruder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        Assert.Equal(ServingStatus.Serving, await WaitForStatusAsync(health, ServingStatus.Serving));
        var committed = folder.Scalar("SELECT max(seq) FROM frames");
        await WaitUntilAsync(() => folder.Scalar("SELECT max(seq) FROM frames") > committed, "commits after the lock was released");
        Assert.False(capture.HasExited);
    }

    private static async Task<ServingStatus> StatusAsync(HealthServiceImpl health, string service) =>
        (await health.Check(new HealthCheckRequest { Service = service }, null!)).Status;

    private static async Task<ServingStatus> WaitForStatusAsync(Health.HealthClient health, ServingStatus wanted)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var status = (await health.CheckAsync(new HealthCheckRequest { Service = CaptureApi.ServiceName }, deadline: DateTime.UtcNow.AddSeconds(10))).Status;
            if (status == wanted || DateTime.UtcNow > deadline) return status;
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Hands over one frame whose length is beyond any CAN frame's, when released.</summary>
    private sealed class CorruptFrameSource : IFrameSource
    {
        public string Name => "corrupt0";
        public string Kind => "test";
        public FrameOrigin Origin => FrameOrigin.Simulation;
        public ManualResetEventSlim Release { get; } = new();

        public void Run(FrameSourceContext context, CancellationToken stopping)
        {
            var iface = context.ResolveInterface(Name);
            WaitHandle.WaitAny([Release.WaitHandle, stopping.WaitHandle]);
            if (stopping.IsCancellationRequested) return;
            var batch = context.Batches.Rent();
            ref var frame = ref batch.Append();
            frame.InterfaceId = iface;
            frame.Id = 0x123;
            frame.Length = 200;
            context.Submit(batch);
            stopping.WaitHandle.WaitOne();
        }
    }

    private sealed class StubLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }
}
