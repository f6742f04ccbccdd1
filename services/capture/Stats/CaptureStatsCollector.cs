using CanMesh.Capture.Pipeline;

namespace CanMesh.Capture.Stats;

/// <summary>
/// Builds <see cref="CaptureStats"/> from the pipeline's counters. <see cref="Collect"/>'s rates are per source
/// over the time since the previous call of the same collector (the first call: since the pipeline started),
/// so each consumer (the log, a WatchStats stream) keeps its own collector; <see cref="CollectRunAverage"/>'s
/// are over the whole run. Uptime is the pipeline's. Not thread-safe; cheap (no row counts: seq is dense, so
/// rows are a subtraction).
/// </summary>
public sealed class CaptureStatsCollector
{
    private readonly CapturePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly long _startTicks;
    private readonly long[] _lastFrames;
    private long _lastTicks;

    public CaptureStatsCollector(CapturePipeline pipeline, TimeProvider time)
    {
        _pipeline = pipeline;
        _time = time;
        var started = pipeline.StartedTimestamp;
        _startTicks = _lastTicks = started != 0 ? started : time.GetTimestamp();
        _lastFrames = new long[pipeline.SourceContexts.Count];
    }

    /// <summary>The stats now, each source's rate since the previous call.</summary>
    public CaptureStats Collect()
    {
        var now = _time.GetTimestamp();
        var seconds = _time.GetElapsedTime(_lastTicks, now).TotalSeconds;
        _lastTicks = now;
        return Build(now, seconds, _lastFrames);
    }

    /// <summary>
    /// The stats now, each source's rate averaged over the run: from the start until the sources ended (or
    /// until now, while they run). What the last stats line of a run shows: a rate since the previous line
    /// would describe only the run's last seconds, or the idle time after a replay ended.
    /// </summary>
    public CaptureStats CollectRunAverage()
    {
        var now = _time.GetTimestamp();
        var ended = _pipeline.SourcesEndedTimestamp;
        var seconds = _time.GetElapsedTime(_startTicks, ended != 0 ? ended : now).TotalSeconds;
        return Build(now, seconds, framesBefore: null);
    }

    /// <summary>Rates are the frames counted since <paramref name="framesBefore"/> (updated here; null: since the start) over <paramref name="seconds"/>.</summary>
    private CaptureStats Build(long now, double seconds, long[]? framesBefore)
    {
        var sources = new List<SourceStats>();
        long queueDrops = 0;
        for (var i = 0; i < _pipeline.SourceContexts.Count; i++)
        {
            var context = _pipeline.SourceContexts[i];
            var c = context.Counters;
            var frames = c.Frames;
            var rate = seconds > 0 ? (frames - (framesBefore?[i] ?? 0)) / seconds : 0;
            if (framesBefore is not null) framesBefore[i] = frames;
            queueDrops += c.QueueDrops;
            sources.Add(new SourceStats(context.SourceName, _pipeline.Sources[i].Kind, context.State, context.StateDetail,
                frames, rate, c.Bytes, c.KernelDrops, c.QueueDrops, c.ErrorFrames, c.Malformed, c.Faults));
        }
        var journal = _pipeline.Journal;
        var committed = journal.CommittedSeq;
        var first = journal.FirstSeq;
        var subscribers = journal.Subscribers.All()
            .Select(s => new SubscriberStats(s.Name, s.AckedSeq, s.Retains, Math.Max(0, committed - s.AckedSeq)))
            .ToArray();
        return new CaptureStats(
            _time.GetUtcNow(),
            _time.GetElapsedTime(_startTicks, now),
            sources,
            new QueueStats(_pipeline.Queue.DepthFrames, _pipeline.Queue.CapacityFrames, queueDrops),
            new StoreStats(journal.Path, journal.CaptureId, committed, first, Math.Max(0, committed - first + 1), journal.FileBytes(),
                _pipeline.Commits, _pipeline.StoreDrops, subscribers));
    }
}
