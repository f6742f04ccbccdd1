namespace CanMesh.Capture.Configuration;

/// <summary>How a SocketCAN interface is read.</summary>
public sealed record SocketCanSettings
{
    /// <summary>Socket receive buffer asked for (SO_RCVBUFFORCE when permitted, SO_RCVBUF otherwise).</summary>
    public long ReceiveBufferBytes { get; init; } = 8L << 20;

    /// <summary>Kernel receive timestamps (SO_TIMESTAMPNS) or the driver's hardware timestamps (SO_TIMESTAMPING).</summary>
    public TimestampSource Timestamps { get; init; } = TimestampSource.Kernel;

    /// <summary>Receive CAN FD frames (CAN_RAW_FD_FRAMES).</summary>
    public bool Fd { get; init; } = true;

    /// <summary>Error classes to receive as error frames (CAN_RAW_ERR_FILTER); 0 receives none.</summary>
    public uint ErrorMask { get; init; } = 0x1FFF_FFFF;

    /// <summary>Acceptance filters (CAN_RAW_FILTER); empty receives every frame.</summary>
    public IReadOnlyList<CanFilter> Filters { get; init; } = [];

    /// <summary>Frames read per system call (recvmmsg vector length).</summary>
    public int FramesPerRead { get; init; } = 64;

    /// <summary>How long to wait before trying a missing or down interface again.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);
}

public enum TimestampSource
{
    /// <summary>The kernel's receive time (SO_TIMESTAMPNS).</summary>
    Kernel,

    /// <summary>The controller's hardware time where the driver offers it (SO_TIMESTAMPING), the kernel's otherwise.</summary>
    Hardware,
}

/// <summary>
/// One SocketCAN acceptance filter: a frame passes when (received_id &amp; Mask) == (Id &amp; Mask), or,
/// with <see cref="Inverted"/>, when it does not. Written "123:7FF" or "~123:7FF" as candump does;
/// Id and Mask are raw can_id values, so CAN_EFF_FLAG (0x80000000) and CAN_RTR_FLAG (0x40000000) may appear.
/// </summary>
public readonly record struct CanFilter(uint Id, uint Mask, bool Inverted)
{
    public const uint InvertFlag = 0x2000_0000; // CAN_INV_FILTER

    public static bool TryParse(string text, out CanFilter filter, out string error)
    {
        filter = default;
        error = "";
        var s = text.Trim();
        var inverted = s.StartsWith('~');
        if (inverted) s = s[1..];
        var colon = s.IndexOf(':');
        if (colon <= 0 || colon == s.Length - 1)
        {
            error = "a filter is written <id>:<mask> in hex, or ~<id>:<mask> to invert it (e.g. 123:7FF, 18DA00F1:9FFFFFFF)";
            return false;
        }
        if (!uint.TryParse(s.AsSpan(0, colon), System.Globalization.NumberStyles.HexNumber, null, out var id) ||
            !uint.TryParse(s.AsSpan(colon + 1), System.Globalization.NumberStyles.HexNumber, null, out var mask))
        {
            error = "id and mask must be hexadecimal numbers up to FFFFFFFF (e.g. 123:7FF)";
            return false;
        }
        filter = new CanFilter(id, mask, inverted);
        return true;
    }

    public override string ToString() => $"{(Inverted ? "~" : "")}{Id:X}:{Mask:X}";
}
