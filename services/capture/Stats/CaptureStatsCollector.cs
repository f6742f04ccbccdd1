using CanMesh.Capture.Pipeline;

namespace CanMesh.Capture.Stats;

/// <summary>
/// Builds <see cref="CaptureStats"/> from the pipeline's counters. Rates are per source over the time
/// since the previous call of the same collector (the first call: since the pipeline started), so each
/// consumer (the log, a WatchStats stream) keeps its own collector. Uptime is the pipeline's. Not thread-safe; cheap (no row counts: seq is dense, so rows are a subtraction).
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

    public CaptureStats Collect()
    {
        var now = _time.GetTimestamp();
        var seconds = _time.GetElapsedTime(_lastTicks, now).TotalSeconds;
        _lastTicks = now;
        var sources = new List<SourceStats>();
        long queueDrops = 0;
        for (var i = 0; i < _pipeline.SourceContexts.Count; i++)
        {
            var context = _pipeline.SourceContexts[i];
            var c = context.Counters;
            var frames = c.Frames;
            var rate = seconds > 0 ? (frames - _lastFrames[i]) / seconds : 0;
            _lastFrames[i] = frames;
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
