using CanMesh.Client;

namespace CanMesh.Cli.Tests.Live.Infrastructure;

/// <summary>
/// One capture service shared by the live-verb tests, on a Unix socket in a temp folder: a slow simulated bus (sim0,
/// ids 700-70F, still running, so the capture stays healthy) and the SavvyCAN log replayed once (interface vcan0, a
/// fixed set of frames that dump and top must reproduce exactly).
/// </summary>
public sealed class RunningCapture : IAsyncLifetime
{
    public const string SimInterface = "sim0";
    public const string ReplayInterface = "vcan0";

    private readonly TempFolder _folder = new();
    private CaptureProcess? _process;

    public string SocketPath => _folder.Socket;
    public CaptureClient Client { get; private set; } = null!;
    public static string LogPath => Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");

    /// <summary>The replayed log's lines, which are in canonical candump -l form already.</summary>
    public static IReadOnlyList<string> LogLines { get; } = File.ReadAllLines(LogPath).Where(l => l.Length > 0).ToList();

    internal CaptureProcess Process => _process ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var environment = new CaptureEnvironment(_folder)
            .Sim(SimInterface, 200, seed: 3, idMin: "700", idMax: "70F")
            .Replay("replay0", LogPath);
        _process = await CaptureServing.StartAndWaitAsync(environment.Variables, _folder.Socket);
        Client = new CaptureClient(_folder.Socket);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await Client.ListInterfacesAsync()).Single(i => i.Name == "replay0").State != "finished")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the replay did not finish:\n{_process.Output}");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        _process?.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RunningCaptureCollection : ICollectionFixture<RunningCapture>
{
    public const string Name = "canmesh live verbs";
}
