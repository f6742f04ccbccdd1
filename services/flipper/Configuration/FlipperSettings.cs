namespace CanMesh.Flipper.Configuration;

/// <summary>Everything the flipper service runs with, validated (<see cref="FlipperSettingsReader"/>).</summary>
public sealed record FlipperSettings
{
    public const string DefaultCaptureSocket = "/run/canmesh/capture.sock";

    /// <summary>The capture service's Unix socket (Capture:Socket).</summary>
    public string CaptureSocket { get; init; } = DefaultCaptureSocket;

    /// <summary>The serial device the Flipper is on (Flipper:Device).</summary>
    public string Device { get; init; } = "/dev/ttyAMA0";

    /// <summary>Bits per second, 8N1, no flow control (Flipper:BaudRate).</summary>
    public int BaudRate { get; init; } = 115_200;

    /// <summary>The name the ACK line carries (Flipper:Label); the host name by default.</summary>
    public string Label { get; init; } = "";

    /// <summary>The address the ACK and STATS lines carry (Flipper:Ip); null to detect the primary IPv4 address.</summary>
    public string? Ip { get; init; }

    /// <summary>How often a STATS line is sent while a session is on (Flipper:Interval).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The subscriber whose watermark says what PostgreSQL holds (Flipper:ForwarderSubscriber).</summary>
    public string ForwarderSubscriber { get; init; } = "forwarder";

    /// <summary>The name this service subscribes under, live and without retaining (Flipper:Subscriber).</summary>
    public string Subscriber { get; init; } = "flipper";

    /// <summary>How often a missing, busy or lost device and an unreachable capture are tried again (Flipper:ReopenDelay).</summary>
    public TimeSpan ReopenDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How the UART is read (Flipper:ReadMode): polled (the default) or a pending read.</summary>
    public UartReadMode ReadMode { get; init; } = UartReadMode.Poll;

    /// <summary>How often the UART is looked at in <see cref="UartReadMode.Poll"/> mode (Flipper:PollInterval).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>How incoming bytes are picked up from the serial port.</summary>
public enum UartReadMode
{
    /// <summary>
    /// Every Flipper:PollInterval, read what is there from a non-blocking descriptor of the device. No read is ever
    /// pending in System.IO.Ports, whose I/O thread would otherwise poll the descriptor every millisecond.
    /// </summary>
    Poll,

    /// <summary>A BaseStream.ReadAsync always pending: lowest latency, but the library polls every 1 ms meanwhile.</summary>
    Pending,
}
