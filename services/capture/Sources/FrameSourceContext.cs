using CanMesh.Capture.Pipeline;
using CanMesh.Frames;
using CanMesh.Store.Events;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Sources;

/// <summary>
/// Everything a source needs from the pipeline, for one source: where to borrow batches, where to hand
/// them, its counters, and where to report what happened. Created by the pipeline, one per source.
/// </summary>
public sealed class FrameSourceContext
{
    private readonly FrameQueueWriter _queue;
    private readonly Action<CaptureEvent> _recordEvent;
    private readonly IInterfaceResolver _interfaces;
    private readonly CancellationToken _stopping;
    private volatile SourceState _state = SourceState.Starting;
    private volatile string? _stateDetail;

    /// <param name="origin">Where the source's frames come from: decides <see cref="FullQueuePolicy"/>.</param>
    /// <param name="stopping">Ends a wait for room in the queue when capture stops.</param>
    public FrameSourceContext(
        string sourceName,
        FrameBatchPool batches,
        FrameQueueWriter queue,
        IInterfaceResolver interfaces,
        Action<CaptureEvent> recordEvent,
        ILogger logger,
        TimeProvider time,
        FrameOrigin origin = FrameOrigin.LiveBus,
        CancellationToken stopping = default)
    {
        SourceName = sourceName;
        Batches = batches;
        _queue = queue;
        _interfaces = interfaces;
        _recordEvent = recordEvent;
        Logger = logger;
        Time = time;
        Origin = origin;
        _stopping = stopping;
        FullQueuePolicy = origin == FrameOrigin.LiveBus ? FullQueuePolicy.DropAndCount : FullQueuePolicy.Wait;
    }

    public string SourceName { get; }
    public FrameOrigin Origin { get; }

    /// <summary>
    /// A live bus cannot be paused, so its batches are dropped and counted when the queue is full (ARCHITECTURE.md
    /// invariant 4); a file or generator loses nothing by waiting, so it waits.
    /// </summary>
    public FullQueuePolicy FullQueuePolicy { get; }
    public FrameBatchPool Batches { get; }
    public SourceCounters Counters { get; } = new();
    public ILogger Logger { get; }
    public TimeProvider Time { get; }
    public SourceState State => _state;
    public string? StateDetail => _stateDetail;

    /// <summary>
    /// Hands a filled batch to the pipeline, as <see cref="FullQueuePolicy"/> says: a live bus never waits
    /// (a full queue drops the batch and counts its frames in <see cref="SourceCounters.QueueDrops"/>), a file
    /// or generator waits for room. The batch belongs to the pipeline afterwards in every case. Frames, bytes
    /// and error frames are counted here, so sources do not count them themselves.
    /// </summary>
    /// <returns>
    /// True if the batch was queued. False if it was dropped (counted), or if capture stopped while the
    /// source waited for room: then its frames are not counted as read at all (nothing is lost: the file
    /// still holds them, a generator makes others).
    /// </returns>
    public bool Submit(FrameBatch batch)
    {
        var frames = batch.Frames;
        if (frames.Length == 0)
        {
            Batches.Return(batch);
            return true;
        }
        long bytes = 0, errors = 0;
        foreach (ref readonly var frame in frames)
        {
            bytes += frame.IsRemote ? 0 : frame.Length;
            if (frame.IsError) errors++;
        }
        // Taken now: once queued, the batch may be stored and reused at any moment.
        var count = frames.Length;
        var result = _queue.Write(batch, FullQueuePolicy, _stopping);
        if (result == QueueWriteResult.Cancelled)
        {
            Batches.Return(batch);
            return false;
        }
        Counters.AddFrames(count, bytes);
        if (errors != 0) Counters.AddErrorFrames(errors);
        if (result == QueueWriteResult.Written) return true;
        // Full (a live bus) or Completed (a source still writing after the stop): dropped, and counted.
        Counters.AddQueueDrops(count);
        Batches.Return(batch);
        return false;
    }

    public ushort ResolveInterface(string interfaceName) => _interfaces.Resolve(interfaceName);

    /// <summary>
    /// Records a durable event row (written with the next commit). Not for per-frame use: drops are
    /// counted in <see cref="Counters"/> and the pipeline turns their increases into rows.
    /// </summary>
    public void RecordEvent(CaptureEventKind kind, string message, long count = 1) =>
        _recordEvent(new CaptureEvent(Time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000, kind, SourceName, count, message));

    /// <summary>Publishes what the source is doing, for ListInterfaces and stats.</summary>
    public void SetState(SourceState state, string? detail = null)
    {
        _stateDetail = detail;
        _state = state;
    }
}
