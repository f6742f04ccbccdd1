using CanMesh.Client;
using Grpc.Core;

namespace CanMesh.Cli;

/// <summary>
/// The edge of every verb that talks to the capture service: checks the socket before connecting (gRPC would
/// only say UNAVAILABLE), owns the client, and turns failures into one line on stderr and an exit code, never a
/// stack trace. Ctrl+C and SIGTERM (the token) end a verb with exit 0: stopping a live view is how it is meant to
/// end; so does the reader of the output going away (`| head`).
/// </summary>
internal static class CaptureVerb
{
    /// <param name="run">The verb, given the client and a token that fires on Ctrl+C, SIGTERM or <paramref name="cancellationToken"/>.</param>
    public static async Task<int> RunAsync(string socketPath, TimeSpan callTimeout, Func<CaptureClient, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        if (CaptureErrors.CheckSocket(socketPath) is { } missing)
        {
            await Console.Error.WriteLineAsync("canmesh: " + missing).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        using var signals = new StopSignals(cancellationToken);
        await using var client = new CaptureClient(socketPath, new CaptureClientOptions { CallTimeout = callTimeout });
        try
        {
            return await run(client, signals.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (signals.Token.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            return ExitCodes.Ok;
        }
        catch (OutputClosedException)
        {
            // The reader of the output has gone (| head): done, quietly.
            return ExitCodes.Ok;
        }
        catch (Exception e) when (CaptureErrors.IsCommunication(e))
        {
            await Console.Error.WriteLineAsync("canmesh: " + CaptureErrors.Describe(e, socketPath)).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours or a frame the service should never have sent: still one line a person can report.
            await Console.Error.WriteLineAsync($"canmesh: failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    /// <summary>Bad usage found by the verb itself (a malformed range): one line and exit code 2.</summary>
    public static int BadUsage(string message)
    {
        Console.Error.WriteLine("canmesh: " + message);
        return ExitCodes.BadUsage;
    }
}
