using System.Runtime.InteropServices;

namespace CanMesh.Bench;

/// <summary>
/// For benchmarks that start processes and containers (forward, soak): Ctrl+C or SIGTERM cancels the run's token
/// instead of ending the process, so the run stops its children and removes its container before it exits.
/// </summary>
internal static class StoppableRun
{
    /// <summary>Exit code of a run stopped by a signal (128 + SIGINT, as a shell reports it).</summary>
    public const int Stopped = 130;

    /// <summary>Runs <paramref name="run"/>; a signal cancels it, and <paramref name="stoppedMessage"/> then goes to standard error.</summary>
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> run, string stoppedMessage, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            Console.Error.WriteLine("stopping: cleaning up ...");
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return await run(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine(stoppedMessage);
            return Stopped;
        }
    }

    /// <summary>The first of <paramref name="settings"/> that is not NAME=VALUE with a name, or null when all are.</summary>
    public static string? FirstMalformedSetting(IEnumerable<string> settings) =>
        settings.FirstOrDefault(s => s.IndexOf('=', StringComparison.Ordinal) < 1);
}
