namespace CanMesh.Capture.Sources;

/// <summary>
/// Where a source's frames come from. It decides what a full queue does to them and what their error
/// frames mean, so each source declares it once (<see cref="IFrameSource.Origin"/>) and the pipeline
/// applies it (<see cref="FrameSourceContext.FullQueuePolicy"/>).
/// </summary>
public enum FrameOrigin
{
    /// <summary>
    /// A CAN bus read as it happens: frames keep arriving whether or not the pipeline is ready, so a full
    /// queue drops and counts them rather than stall the read loop (ARCHITECTURE.md invariant 4). Its error frames
    /// are bus errors reported by the controller now.
    /// </summary>
    LiveBus,

    /// <summary>
    /// A file (a candump log replay). It holds every frame until it is read, so the source waits for room
    /// and nothing is dropped. Its error frames were recorded on some bus earlier, not seen by this capture.
    /// </summary>
    File,

    /// <summary>Generated frames (the simulator): nothing is lost by waiting, so it waits like a file.</summary>
    Simulation,
}

/// <summary>What happens to a batch a source hands over while the queue is full.</summary>
public enum FullQueuePolicy
{
    /// <summary>The batch is dropped and its frames counted in <see cref="SourceCounters.QueueDrops"/>; the source never waits.</summary>
    DropAndCount,

    /// <summary>The source waits until the queue has room (or capture stops); nothing is dropped.</summary>
    Wait,
}
