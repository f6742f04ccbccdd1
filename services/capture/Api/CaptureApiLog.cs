using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Api;

/// <summary>
/// The capture API's source-generated log lines with stable event ids (200-299; the older lines of
/// <see cref="CaptureApi"/> and <see cref="SubscriptionSession"/> call the logger directly).
/// </summary>
internal static partial class CaptureApiLog
{
    [LoggerMessage(EventId = 200, EventName = "SubscriberRemoved", Level = LogLevel.Information,
        Message = "Subscriber {Name} removed on request at acked seq {AckedSeq}; recorded as a SubscriberRemoved event.")]
    public static partial void SubscriberRemoved(ILogger logger, string name, long ackedSeq);

    // A warning: frames it had not acknowledged may now be deleted before anything forwarded them.
    [LoggerMessage(EventId = 201, EventName = "RetainingSubscriberRemoved", Level = LogLevel.Warning,
        Message = "Retaining subscriber {Name} removed on request at acked seq {AckedSeq}: its {Pending} unacknowledged frames are no longer kept from retention for it; recorded as a SubscriberRemoved event.")]
    public static partial void RetainingSubscriberRemoved(ILogger logger, string name, long ackedSeq, long pending);

    [LoggerMessage(EventId = 202, EventName = "SubscriberRemovalNotCommitted", Level = LogLevel.Error,
        Message = "Subscriber {Name} is removed, but the store did not commit the removal within the wait (the store writer is stuck or failing; see Health). It is written with the writer's next commit.")]
    public static partial void SubscriberRemovalNotCommitted(ILogger logger, string name);
}
