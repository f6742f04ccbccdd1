using CanMesh.Client;
using CanMesh.Protos.V1;
using Grpc.Health.V1;

namespace CanMesh.Cli.Live;

/// <summary>
/// Asks a capture whether it does its job: grpc.health.v1 for canmesh.v1.Capture, the service's own verdict
/// (serving while its store writer commits and at least one source can still deliver frames), then GetStats
/// for a line a person can read. The health protocol carries no reason, so an unhealthy line names what the
/// stats show (faulted or ended sources, store drops) and points at the capture's log for the rest.
/// </summary>
internal sealed class HealthProbe(string socketPath)
{
    /// <summary>The service name the capture publishes its verdict under (also set for the server, "").</summary>
    public const string ServiceName = "canmesh.v1.Capture";

    public async Task<HealthVerdict> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var channel = CaptureChannel.ForUnixSocket(socketPath);
        var health = new Health.HealthClient(channel);
        var answer = await health.CheckAsync(new HealthCheckRequest { Service = ServiceName }, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        var stats = await new Capture.CaptureClient(channel).GetStatsAsync(new GetStatsRequest(), deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        var running = stats.Sources.Count(s => s.State == "running");
        var committed = stats.Store?.CommittedSeq ?? 0;
        if (answer.Status == HealthCheckResponse.Types.ServingStatus.Serving)
        {
            return new(true, $"healthy: {running} of {stats.Sources.Count} sources running, committed seq {committed}");
        }
        return new(false, $"unhealthy: the capture reports {answer.Status}: {Why(stats)} (committed seq {committed}; its log says more)");
    }

    private static string Why(Stats stats)
    {
        var ended = stats.Sources.Where(s => s.State is "faulted" or "finished" or "stopped").ToList();
        if (ended.Count == stats.Sources.Count && ended.Count > 0)
        {
            return "every source has ended: " + string.Join(", ", ended.Select(s => string.IsNullOrEmpty(s.StateDetail) ? $"{s.Name} {s.State}" : $"{s.Name} {s.State} ({s.StateDetail})"));
        }
        if (stats.Store is { StoreDrops: > 0 } store) return $"the store is failing ({store.StoreDrops} frames dropped)";
        return "starting, stopping, or its store writer is stuck";
    }
}

/// <summary>The answer of <see cref="HealthProbe"/>: exit 0 or 1, and one line.</summary>
internal readonly record struct HealthVerdict(bool Healthy, string Line);
