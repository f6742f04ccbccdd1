using Microsoft.Extensions.Logging;

namespace CanMesh.Flipper.Hosting;

/// <summary>Every line the flipper service logs, with a stable EventId (1xx start/stop, 2xx device, 3xx capture, 4xx protocol).</summary>
internal static partial class FlipperLog
{
    [LoggerMessage(100, LogLevel.Information, "Flipper service {Label}: device {Device} at {BaudRate} 8N1 ({ReadMode} reads), STATS every {IntervalMs} ms from capture {Socket} (pending/processed from subscriber {Forwarder}).")]
    public static partial void Starting(ILogger logger, string label, string device, int baudRate, string readMode, long intervalMs, string socket, string forwarder);

    [LoggerMessage(101, LogLevel.Information, "Stopped: {Sessions} session(s), {StatsLines} STATS line(s) sent, {Frames} live frame(s) acknowledged.")]
    public static partial void Stopped(ILogger logger, long sessions, long statsLines, long frames);

    [LoggerMessage(102, LogLevel.Warning, "Closing {Device} did not finish within {TimeoutMs} ms (the driver is stuck); left behind.")]
    public static partial void CloseAbandoned(ILogger logger, string device, long timeoutMs);

    [LoggerMessage(103, LogLevel.Critical, "Failed: the flipper service stops.")]
    public static partial void Fatal(ILogger logger, Exception error);

    [LoggerMessage(200, LogLevel.Information, "Opened {Device}: silent until the Flipper sends INIT.")]
    public static partial void DeviceOpened(ILogger logger, string device);

    [LoggerMessage(201, LogLevel.Warning, "Waiting for {Device} to appear (is the Flipper connected? is the UART enabled?); trying every {RetryMs} ms.")]
    public static partial void DeviceMissing(ILogger logger, string device, long retryMs);

    [LoggerMessage(202, LogLevel.Warning, "Cannot open {Device}: {Reason}; trying every {RetryMs} ms.")]
    public static partial void DeviceUnavailable(ILogger logger, string device, string reason, long retryMs);

    [LoggerMessage(203, LogLevel.Warning, "Lost {Device}: {Reason}. Closed; reopening when it is back.")]
    public static partial void DeviceLost(ILogger logger, string device, string reason);

    [LoggerMessage(204, LogLevel.Warning, "Writing to {Device} timed out: nobody reads at the other end; lines are dropped until a write succeeds.")]
    public static partial void WriteStalled(ILogger logger, string device);

    [LoggerMessage(205, LogLevel.Information, "Writing to {Device} works again after {Dropped} dropped line(s).")]
    public static partial void WriteResumed(ILogger logger, string device, long dropped);

    [LoggerMessage(300, LogLevel.Information, "The capture service at {Socket} answers: capture {CaptureId}, committed through seq {CommittedSeq}.")]
    public static partial void CaptureUp(ILogger logger, string socket, string captureId, ulong committedSeq);

    [LoggerMessage(301, LogLevel.Warning, "The capture service at {Socket} does not answer ({Reason}); STATS go on with the last known numbers and capture=down.")]
    public static partial void CaptureDown(ILogger logger, string socket, string reason);

    [LoggerMessage(302, LogLevel.Warning, "The capture service refused live subscriber {Subscriber}: {Status}: {Detail}; trying again.")]
    public static partial void SubscriptionRefused(ILogger logger, string subscriber, string status, string detail);

    [LoggerMessage(400, LogLevel.Information, "INIT from the Flipper on {Device}: sent {Ack}; STATS follow every {IntervalMs} ms.")]
    public static partial void SessionStarted(ILogger logger, string device, string ack, long intervalMs);

    [LoggerMessage(401, LogLevel.Information, "STOP from the Flipper on {Device}: silent until the next INIT ({StatsLines} STATS line(s) sent in this session).")]
    public static partial void SessionStopped(ILogger logger, string device, long statsLines);

    [LoggerMessage(402, LogLevel.Debug, "Ignored a line from the Flipper: '{Line}'.")]
    public static partial void LineIgnored(ILogger logger, string line);

    [LoggerMessage(403, LogLevel.Warning, "Dropped a line of more than {MaxBytes} bytes from {Device} (noise, or a wrong baud rate?); {Total} so far.")]
    public static partial void LineOverlong(ILogger logger, int maxBytes, string device, long total);
}
