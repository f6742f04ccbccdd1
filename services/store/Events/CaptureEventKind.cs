namespace CanMesh.Store.Events;

/// <summary>
/// What a row of the events table records. Stored by name (text), so adding a kind is safe.
/// </summary>
public enum CaptureEventKind
{
    /// <summary>The capture service started (message: version, configuration summary).</summary>
    Started,

    /// <summary>The capture service stopped cleanly after draining its queue.</summary>
    Stopped,

    /// <summary>
    /// Found at start: the previous run never stopped cleanly (a crash, kill -9 or power loss). last_seq is the
    /// last seq it committed; what it had read and not committed is lost and was never counted.
    /// </summary>
    UncleanShutdown,

    /// <summary>Frames dropped because the in-process queue was full (count = frames).</summary>
    QueueOverflow,

    /// <summary>Frames the kernel dropped on a socket's receive queue (count = frames, SO_RXQ_OVFL).</summary>
    KernelDrop,

    /// <summary>Input skipped because it could not be parsed (count = lines; message says file and line).</summary>
    Malformed,

    /// <summary>Error frames a CAN controller reported on a live bus (count = frames).</summary>
    BusError,

    /// <summary>
    /// Error frames read from a replayed log (count = frames): stored as frames like any other, but recorded on
    /// some bus earlier, not reported to this capture by a controller, so not a <see cref="BusError"/>.
    /// </summary>
    ReplayedErrorFrames,

    /// <summary>An interface went missing or down; the source retries.</summary>
    InterfaceDown,

    /// <summary>An interface came (back) up and is being read.</summary>
    InterfaceUp,

    /// <summary>A source failed in a way it could not ride through.</summary>
    SourceFault,

    /// <summary>Retention deleted frames (first_seq..last_seq); unsynced when a disk budget forced it.</summary>
    Eviction,

    /// <summary>Retention deleted frames a retaining subscriber had not acknowledged (ARCHITECTURE.md invariant 5).</summary>
    UnsyncedEviction,

    /// <summary>
    /// A subscriber was removed on request (RemoveSubscriber), count 1. first_seq..last_seq: the committed frames it
    /// had not acknowledged (null when none); if it retained, retention no longer keeps them for it.
    /// </summary>
    SubscriberRemoved,

    /// <summary>
    /// Subscribers that do not retain were forgotten after Store:Subscribers:ForgetAfter without a stream open
    /// (count = subscribers, the message names them): one row per pass of the store writer.
    /// </summary>
    SubscribersForgotten,
}
