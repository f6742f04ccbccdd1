namespace CanMesh.Capture.Sources;

/// <summary>
/// Live counters of one source. Sources and the pipeline add to them from their own threads; readers
/// (stats, the event recorder) read them at any time. Plain interlocked longs: no locks on the read path.
/// </summary>
public sealed class SourceCounters
{
    private long _frames;
    private long _bytes;
    private long _kernelDrops;
    private long _queueDrops;
    private long _errorFrames;
    private long _malformed;
    private long _faults;

    /// <summary>
    /// Frames read from the input and handed to the pipeline (including those the queue dropped). A file or
    /// generator's batch still waiting for room when capture stopped is not counted: it was never handed over.
    /// </summary>
    public long Frames => Volatile.Read(ref _frames);

    /// <summary>Payload bytes of <see cref="Frames"/>.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Frames the kernel dropped before the source could read them (SO_RXQ_OVFL).</summary>
    public long KernelDrops => Volatile.Read(ref _kernelDrops);

    /// <summary>Frames dropped because the pipeline's queue was full (a live bus), or already completed (a source still writing after the stop).</summary>
    public long QueueDrops => Volatile.Read(ref _queueDrops);

    /// <summary>Error frames among <see cref="Frames"/>: bus errors reported by the controller for a live bus, as recorded for a replayed log.</summary>
    public long ErrorFrames => Volatile.Read(ref _errorFrames);

    /// <summary>Input that could not be parsed and was skipped (log lines, truncated reads).</summary>
    public long Malformed => Volatile.Read(ref _malformed);

    /// <summary>Failures of the source itself (interface down, socket errors) that it rode through.</summary>
    public long Faults => Volatile.Read(ref _faults);

    public void AddFrames(long frames, long bytes)
    {
        Interlocked.Add(ref _frames, frames);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void AddKernelDrops(long count) => Interlocked.Add(ref _kernelDrops, count);
    public void AddQueueDrops(long count) => Interlocked.Add(ref _queueDrops, count);
    public void AddErrorFrames(long count) => Interlocked.Add(ref _errorFrames, count);
    public void AddMalformed(long count) => Interlocked.Add(ref _malformed, count);
    public void AddFault() => Interlocked.Increment(ref _faults);
}
