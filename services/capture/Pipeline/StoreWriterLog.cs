using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Pipeline;

/// <summary>
/// The store writer's source-generated log lines with stable event ids (100-199; the older lines of
/// <see cref="StoreWriterLoop"/> call the logger directly).
/// </summary>
internal static partial class StoreWriterLog
{
    [LoggerMessage(EventId = 100, EventName = "SubscribersForgotten", Level = LogLevel.Information,
        Message = "Forgot non-retaining subscribers with no stream open for {IdleFor} (Store:Subscribers:ForgetAfter): {Names} ({Count}); recorded as a SubscribersForgotten event.")]
    public static partial void SubscribersForgotten(ILogger logger, string idleFor, string names, int count);

    [LoggerMessage(EventId = 101, EventName = "ForgettingSubscribersFailed", Level = LogLevel.Error,
        Message = "Looking for idle subscribers to forget failed: {Message}. Tried again at the next pass.")]
    public static partial void ForgettingSubscribersFailed(ILogger logger, string message);
}
