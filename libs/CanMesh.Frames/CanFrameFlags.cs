namespace CanMesh.Frames;

/// <summary>
/// What kind of CAN frame a <see cref="CanFrame"/> is. Stored as one byte, so the values are part of
/// the on-disk format and the wire format: never renumber them.
/// </summary>
[Flags]
public enum CanFrameFlags : byte
{
    None = 0,

    /// <summary>29-bit identifier (CAN 2.0B). Without it the identifier is 11 bits.</summary>
    Extended = 1 << 0,

    /// <summary>Remote transmission request: no data, <see cref="CanFrame.Length"/> is the requested length.</summary>
    Remote = 1 << 1,

    /// <summary>
    /// An error frame from the controller (SocketCAN CAN_ERR_FLAG). The identifier holds the error class
    /// bits (CAN_ERR_MASK) and the 8 data bytes the details.
    /// </summary>
    Error = 1 << 2,

    /// <summary>A CAN FD frame (up to 64 data bytes).</summary>
    Fd = 1 << 3,

    /// <summary>CAN FD bit rate switch: the data phase ran at the data bit rate.</summary>
    BitRateSwitch = 1 << 4,

    /// <summary>CAN FD error state indicator: the transmitter was error passive.</summary>
    ErrorStateIndicator = 1 << 5,
}
