using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>The SocketCAN source's log lines: state changes only, never per frame.</summary>
internal static partial class SocketCanLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Interface}: reading (ifindex {Index}, receive buffer {Granted} bytes granted for {Wanted} asked{Capped}, CAN FD {Fd}, {Timestamps} timestamps, {Filters} filter(s), error mask {ErrorMask:X8})")]
    public static partial void Opened(ILogger logger, string @interface, int index, int granted, long wanted, string capped,
        string fd, string timestamps, int filters, uint errorMask);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Interface}: not readable: {Reason}; retrying every {RetrySeconds:0.###} s")]
    public static partial void Waiting(ILogger logger, string @interface, string reason, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Interface}: back up after {DownSeconds:0.0} s, reading again")]
    public static partial void BackUp(ILogger logger, string @interface, double downSeconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Interface}: the interface MTU is {Mtu}: it carries classic CAN only, so no CAN FD frames will arrive")]
    public static partial void ClassicOnly(ILogger logger, string @interface, int mtu);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Interface}: the interface MTU is {Mtu} (CAN FD) but Fd is off: CAN FD frames on it will not be captured")]
    public static partial void FdIgnored(ILogger logger, string @interface, int mtu);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Interface}: the driver gives no hardware timestamps; using kernel receive timestamps instead")]
    public static partial void NoHardwareTimestamps(ILogger logger, string @interface);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Interface}: {Count} read(s) of unexpected size or length skipped (last: {Size} bytes)")]
    public static partial void Malformed(ILogger logger, string @interface, long count, int size);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Interface}: {What} failed: {Error}")]
    public static partial void Failed(ILogger logger, string @interface, string what, string error);
}
