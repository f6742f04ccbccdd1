using System.Runtime.InteropServices;

namespace CanMesh.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM as a cancellation token, so a live verb ends its stream, flushes its output and
/// removes its viewer subscriber before exiting 0, as candump does. Without it the runtime's default ends the
/// process at once (exit 130/143): System.CommandLine only cancels the action's token when the invocation sets a
/// process termination timeout, and Program.cs leaves that to the verbs.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public StopSignals(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        // A second signal while stopping falls through to the default: the process ends at once.
        if (_stop.IsCancellationRequested) return;
        context.Cancel = true;
        _stop.Cancel();
    }
}
