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
    private volatile SourceState _state = SourceState.Starting;
    private volatile string? _stateDetail;

    public FrameSourceContext(
        string sourceName,
        FrameBatchPool batches,
        FrameQueueWriter queue,
        IInterfaceResolver interfaces,
        Action<CaptureEvent> recordEvent,
        ILogger logger,
        TimeProvider time)
    {
        SourceName = sourceName;
        Batches = batches;
        _queue = queue;
        _interfaces = interfaces;
        _recordEvent = recordEvent;
        Logger = logger;
        Time = time;
    }

    public string SourceName { get; }
    public FrameBatchPool Batches { get; }
    public SourceCounters Counters { get; } = new();
    public ILogger Logger { get; }
    public TimeProvider Time { get; }
    public SourceState State => _state;
    public string? StateDetail => _stateDetail;

    /// <summary>
    /// Hands a filled batch to the pipeline without waiting. The batch belongs to the pipeline afterwards,
    /// whether it was queued or dropped (a full queue counts its frames in <see cref="SourceCounters.QueueDrops"/>).
    /// Frames, bytes and error frames are counted here, so sources do not count them themselves.
    /// </summary>
    public void Submit(FrameBatch batch)
    {
        var frames = batch.Frames;
        if (frames.Length == 0)
        {
            Batches.Return(batch);
            return;
        }
        long bytes = 0, errors = 0;
        foreach (ref readonly var frame in frames)
        {
            bytes += frame.IsRemote ? 0 : frame.Length;
            if (frame.IsError) errors++;
        }
        Counters.AddFrames(frames.Length, bytes);
        if (errors != 0) Counters.AddErrorFrames(errors);
        if (!_queue.TryWrite(batch))
        {
            Counters.AddQueueDrops(frames.Length);
            Batches.Return(batch);
        }
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
