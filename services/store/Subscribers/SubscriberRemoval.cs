namespace CanMesh.Store.Subscribers;

/// <summary>What <see cref="SubscriberTable.Remove"/> did.</summary>
public enum SubscriberRemovalOutcome
{
    /// <summary>The row is deleted (or staged for the writer's next commit) with a SubscriberRemoved event.</summary>
    Removed,

    /// <summary>No subscriber of that name.</summary>
    NotFound,

    /// <summary>The subscriber has a stream open; nothing was changed.</summary>
    StreamOpen,
}

/// <param name="Outcome">What happened.</param>
/// <param name="Watermark">The subscriber as it was (null when not found).</param>
/// <param name="PendingFrames">Committed frames it had not acknowledged; if it retained, they are no longer kept for it.</param>
/// <param name="Durable">The removal is committed (false: staged, and the writer did not commit within the wait).</param>
public sealed record SubscriberRemoval(SubscriberRemovalOutcome Outcome, SubscriberWatermark? Watermark, long PendingFrames, bool Durable);
