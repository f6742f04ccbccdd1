using CanMesh.Protos.V1;
using Grpc.Net.Client;

namespace CanMesh.Client.Tests.Infrastructure;

/// <summary>
/// One capture process shared by the tests that only read and subscribe: two simulated buses that
/// keep committing (sim0 classic and FD, sim1 with 29-bit ids) and the SavvyCAN log replayed once
/// with its recorded timestamps (interface vcan0, a fixed set of frames to query).
/// </summary>
public sealed class LiveCapture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private CaptureProcess? _process;

    internal TempFolder Folder => _folder;
    public string SocketPath => _folder.Socket;
    public CaptureClient Client { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The generated client on <see cref="Channel"/>, for calls on the wire as any gRPC user makes them.</summary>
    public Protos.V1.Capture.CaptureClient Api { get; private set; } = null!;

    internal CaptureProcess Process => _process ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var environment = new CaptureEnvironment(_folder)
            .Sim("sim0", 5000, seed: 1, fdShare: 0.3)
            .Sim("sim1", 3000, seed: 7, idMin: "700", idMax: "7FF", extendedShare: 0.3)
            .Replay("replay0", Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log"));
        _process = await CaptureServing.StartAndWaitAsync(environment.Variables, _folder.Socket);
        Client = new CaptureClient(_folder.Socket);
        Channel = CaptureChannel.ForUnixSocket(_folder.Socket);
        Api = new Protos.V1.Capture.CaptureClient(Channel);

        // The replayed log is complete once its source has finished.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var replay = (await Client.ListInterfacesAsync()).Single(i => i.Name == "replay0");
            if (replay.State == "finished") break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the replay did not finish: {replay}\n{_process.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the capture has committed at least <paramref name="seq"/>.</summary>
    public async Task<Stats> WaitForCommittedAsync(ulong seq)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var stats = await Client.GetStatsAsync();
            if (stats.Store.CommittedSeq >= seq) return stats;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"committed {stats.Store.CommittedSeq}, waited for {seq}");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        Channel.Dispose();
        _process?.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class LiveCaptureCollection : ICollectionFixture<LiveCapture>
{
    public const string Name = "live capture";
}
