using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>The SocketCAN source's log lines: state changes only, never per frame. EventIds 100-199, stable.</summary>
internal static partial class SocketCanLog
{
    [LoggerMessage(EventId = 100, EventName = "SocketCanOpened", Level = LogLevel.Information,
        Message = "{Interface}: reading (ifindex {Index}, receive buffer {Granted} bytes granted for {Wanted} asked{Capped}, CAN FD {Fd}, {Timestamps} timestamps, {Filters} filter(s), error mask {ErrorMask:X8})")]
    public static partial void Opened(ILogger logger, string @interface, int index, int granted, long wanted, string capped,
        string fd, string timestamps, int filters, uint errorMask);

    [LoggerMessage(EventId = 101, EventName = "SocketCanUnavailable", Level = LogLevel.Warning,
        Message = "{Interface}: {Reason}. {Advice}. Retrying every {RetrySeconds:0.###} s: reading starts by itself once it can")]
    public static partial void Unavailable(ILogger logger, string @interface, string reason, string advice, double retrySeconds);

    [LoggerMessage(EventId = 102, EventName = "SocketCanBackUp", Level = LogLevel.Information, Message = "{Interface}: back up after {DownSeconds:0.0} s, reading again")]
    public static partial void BackUp(ILogger logger, string @interface, double downSeconds);

    [LoggerMessage(EventId = 103, EventName = "SocketCanClassicOnly", Level = LogLevel.Warning,
        Message = "{Interface}: the interface MTU is {Mtu}: it carries classic CAN only, so no CAN FD frames will arrive")]
    public static partial void ClassicOnly(ILogger logger, string @interface, int mtu);

    [LoggerMessage(EventId = 104, EventName = "SocketCanFdIgnored", Level = LogLevel.Warning,
        Message = "{Interface}: the interface MTU is {Mtu} (CAN FD) but Fd is off: CAN FD frames on it will not be captured")]
    public static partial void FdIgnored(ILogger logger, string @interface, int mtu);

    [LoggerMessage(EventId = 105, EventName = "SocketCanNoHardwareTimestamps", Level = LogLevel.Warning,
        Message = "{Interface}: the driver gives no hardware timestamps; using kernel receive timestamps instead")]
    public static partial void NoHardwareTimestamps(ILogger logger, string @interface);

    [LoggerMessage(EventId = 106, EventName = "SocketCanMalformed", Level = LogLevel.Warning,
        Message = "{Interface}: {Count} read(s) of unexpected size or length skipped (last: {Size} bytes)")]
    public static partial void Malformed(ILogger logger, string @interface, long count, int size);

    [LoggerMessage(EventId = 107, EventName = "SocketCanFailed", Level = LogLevel.Error, Message = "{Interface}: {What} failed: {Error}")]
    public static partial void Failed(ILogger logger, string @interface, string what, string error);
}
