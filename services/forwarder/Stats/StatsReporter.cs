using System.Diagnostics;
using CanMesh.Forwarder.Forwarding;
using CanMesh.Forwarder.Hosting;
using Microsoft.Extensions.Logging;

namespace CanMesh.Forwarder.Stats;

/// <summary>Logs the stats line every Forwarder:StatsInterval: sent, rate, pending, lag, state, retries, last error.</summary>
internal sealed class StatsReporter(ForwarderStats stats, TimeSpan interval, ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        var lastSent = stats.Sent;
        var lastAt = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var snapshot = stats.Take();
                var seconds = Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                var rate = seconds > 0 ? (snapshot.Sent - lastSent) / seconds : 0;
                ForwarderLog.Stats(logger, snapshot.Sent, rate, snapshot.Pending, snapshot.CommittedSeq, snapshot.AckedSeq, snapshot.LagSeconds,
                    PostgresOutage.Name(snapshot.State), snapshot.Retries, snapshot.LastError);
                lastSent = snapshot.Sent;
                lastAt = now;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
