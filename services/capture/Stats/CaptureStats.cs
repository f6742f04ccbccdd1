using CanMesh.Capture.Sources;

namespace CanMesh.Capture.Stats;

/// <summary>A point-in-time view of the capture: what the stats log prints and the API returns.</summary>
public sealed record CaptureStats(
    DateTimeOffset At,
    TimeSpan Uptime,
    IReadOnlyList<SourceStats> Sources,
    QueueStats Queue,
    StoreStats Store);

public sealed record SourceStats(
    string Name,
    string Kind,
    SourceState State,
    string? StateDetail,
    long Frames,
    double FramesPerSecond,
    long Bytes,
    long KernelDrops,
    long QueueDrops,
    long ErrorFrames,
    long Malformed,
    long Faults);

public sealed record QueueStats(long DepthFrames, long CapacityFrames, long DroppedFrames);

public sealed record StoreStats(
    string Path,
    Guid CaptureId,
    long CommittedSeq,
    long FirstSeq,
    long Rows,
    long SizeBytes,
    long Commits,
    long StoreDrops,
    IReadOnlyList<SubscriberStats> Subscribers);

/// <summary>A subscriber's position: how many committed frames it has not acknowledged yet.</summary>
public sealed record SubscriberStats(string Name, long AckedSeq, bool Retains, long Pending);
