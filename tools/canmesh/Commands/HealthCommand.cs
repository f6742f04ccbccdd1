using System.CommandLine;
using CanMesh.Cli.Live;
using Grpc.Core;

namespace CanMesh.Cli.Commands;

/// <summary>canmesh health: exit 0 when the capture is healthy, 1 when not; one line either way. A container's HEALTHCHECK.</summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var socket = SocketOption.Create();
        var timeout = DurationOption.Create("--timeout", "How long to wait for the answer before calling the capture unhealthy", "3s");
        var command = new Command("health",
            "Exit 0 when the capture service answers and reports itself SERVING over grpc.health.v1 (its store writer commits and at least " +
            "one source can still deliver frames); exit 1 when it does not, cannot be reached, or does not answer within --timeout. " +
            "Prints one line: healthy: N of M sources running, committed seq X / unhealthy: why.")
        {
            socket, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationOption.TryGet(parse, timeout, TimeSpan.FromMilliseconds(10), out var limit, out var error)) return CaptureVerb.BadUsage(error);
            var path = parse.GetValue(socket)!;
            if (CaptureErrors.CheckSocket(path) is { } missing) return Unhealthy(missing);
            try
            {
                var verdict = await new HealthProbe(path).CheckAsync(limit, cancellationToken).ConfigureAwait(false);
                Console.WriteLine(verdict.Line);
                return verdict.Healthy ? ExitCodes.Ok : ExitCodes.Failed;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                return Unhealthy($"the capture service at {path} did not answer within {limit.TotalSeconds:0.###} s");
            }
            catch (Exception e) when (CaptureErrors.IsCommunication(e) || e is OperationCanceledException)
            {
                return Unhealthy(CaptureErrors.Describe(e, path));
            }
        });
        return command;
    }

    private static int Unhealthy(string why)
    {
        Console.WriteLine("unhealthy: " + why);
        return ExitCodes.Failed;
    }
}
