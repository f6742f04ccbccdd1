namespace CanMesh.Capture.Sources;

/// <summary>
/// Where frames come from: a SocketCAN interface, a candump log replay, a synthetic generator.
/// The pipeline gives each source a dedicated thread and calls <see cref="Run"/> on it once; the source
/// owns that thread until <paramref name="stopping"/> is cancelled or it has nothing more to read.
/// </summary>
/// <remarks>
/// A source fills batches rented from <see cref="FrameSourceContext.Batches"/> and hands each one to
/// <see cref="FrameSourceContext.Submit"/>. What a full queue does depends on <see cref="Origin"/>: a live
/// bus's read loop never waits on storage (ARCHITECTURE.md invariant 4), a file or generator waits for room.
/// Counters go to <see cref="FrameSourceContext.Counters"/>; the pipeline turns their increases into
/// durable event rows.
/// </remarks>
public interface IFrameSource
{
    /// <summary>The configured name of the source (the interface name for SocketCAN).</summary>
    string Name { get; }

    /// <summary>What kind of source this is ("socketcan", "replay", "sim"), for stats and logs.</summary>
    string Kind { get; }

    /// <summary>Where the frames come from: a live bus, a file or a generator (see <see cref="FrameOrigin"/>).</summary>
    FrameOrigin Origin { get; }

    /// <summary>
    /// Reads until <paramref name="stopping"/> is cancelled or the input ends. Returns normally in both
    /// cases; throws only for a fault the source cannot ride through (the pipeline logs it and records an event).
    /// Must notice cancellation promptly (well under a second) even when the input is idle.
    /// </summary>
    void Run(FrameSourceContext context, CancellationToken stopping);
}
