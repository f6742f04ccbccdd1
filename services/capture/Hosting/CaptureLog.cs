using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Hosting;

/// <summary>The capture host's own log lines (category CanMesh.Capture). EventIds 10-99, stable.</summary>
internal static partial class CaptureLog
{
    [LoggerMessage(EventId = 10, EventName = "SourcesFaulted", Level = LogLevel.Error,
        Message = "Every source has ended and {Faulted} of {Total} failed ({Faults}); stopping with exit code {ExitCode} so that a supervisor " +
                  "(systemd Restart=on-failure, a docker compose restart policy) starts the capture again")]
    public static partial void SourcesFaulted(ILogger logger, int faulted, int total, string faults, int exitCode);

    [LoggerMessage(EventId = 11, EventName = "CaptureFailed", Level = LogLevel.Critical, Message = "Capture failed: {Message}")]
    public static partial void Failed(ILogger logger, string message);
}
