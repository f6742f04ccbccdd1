namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>The real candump log the fault tests replay through the capture service, and how many frames it holds.</summary>
public static class ReplayedLog
{
    public static readonly string Path = System.IO.Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");

    public static readonly int Frames = File.ReadLines(Path).Count(l => l.StartsWith('('));

    /// <summary>A capture replaying the log once; it keeps serving after the replay ends.</summary>
    public static Task<CaptureProcess> StartCaptureAsync(TempFolder folder) =>
        CaptureServing.StartAndWaitAsync(new CaptureEnvironment(folder).Replay("vcan0", Path).Variables, folder.Socket);
}
