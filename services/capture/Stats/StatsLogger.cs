using System.Globalization;
using System.Text;
using CanMesh.Configuration;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Stats;

/// <summary>
/// Writes the stats to the log every interval: one line per source and one for queue and store, with
/// the numbers a person acts on first (drops, errors) kept next to the frame counts, as candump does.
/// </summary>
public sealed class StatsLogger
{
    private readonly CaptureStatsCollector _collector;
    private readonly ILogger _logger;

    public StatsLogger(CaptureStatsCollector collector, ILogger logger)
    {
        _collector = collector;
        _logger = logger;
    }

    public async Task RunAsync(TimeSpan interval, CancellationToken stopping)
    {
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false)) LogOnce();
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Logs the stats now, with each source's rate since the previous line.</summary>
    public void LogOnce() => Log(_collector.Collect());

    /// <summary>Logs the run's last stats, with each source's rate averaged over the whole run.</summary>
    public void LogFinal() => Log(_collector.CollectRunAverage());

    private void Log(CaptureStats stats)
    {
        foreach (var s in stats.Sources)
        {
            _logger.LogInformation(
                "stats {Source} ({Kind}, {State}): frames={Frames} rate={Rate}/s kernel_drops={KernelDrops} queue_drops={QueueDrops} error_frames={ErrorFrames} malformed={Malformed}{Detail}",
                s.Name, s.Kind, s.State.ToString().ToLowerInvariant(), s.Frames, s.FramesPerSecond.ToString("0", CultureInfo.InvariantCulture),
                s.KernelDrops, s.QueueDrops, s.ErrorFrames, s.Malformed, s.StateDetail is null ? "" : $" ({s.StateDetail})");
        }
        var store = stats.Store;
        var pending = new StringBuilder();
        foreach (var sub in store.Subscribers) pending.Append(CultureInfo.InvariantCulture, $" pending[{sub.Name}]={sub.Pending}");
        _logger.LogInformation(
            "stats queue: depth={Depth}/{Capacity} dropped={Dropped}; store: committed_seq={Committed} rows={Rows} size={Size} commits={Commits}{Pending}",
            stats.Queue.DepthFrames, stats.Queue.CapacityFrames, stats.Queue.DroppedFrames + store.StoreDrops,
            store.CommittedSeq, store.Rows, SizeText.Format(store.SizeBytes), store.Commits, pending.ToString());
    }
}
