using CanMesh.Frames;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>Turns the bytes of a struct can_frame or canfd_frame into a <see cref="CanFrame"/>.</summary>
internal static unsafe class CanFrameDecoder
{
    // Both structs: u32 can_id, u8 len, u8 flags (FD) / pad, u8 res0, u8 len8_dlc (classic) / res1, then data at offset 8.
    private const int LengthOffset = 4, FdFlagsOffset = 5, Len8DlcOffset = 7, DataOffset = 8;

    /// <summary>Fills <paramref name="frame"/> (already cleared) and returns false for a read of a size or length no CAN frame has.</summary>
    public static bool TryDecode(byte* raw, int size, ref CanFrame frame)
    {
        var canId = *(uint*)raw;
        var length = raw[LengthOffset];
        if (size == Can.CANFD_MTU)
        {
            if (length > CanFrame.MaxFdLength) return false;
            var fdFlags = raw[FdFlagsOffset];
            frame.Flags = CanFrameFlags.Fd;
            if ((fdFlags & Can.CANFD_BRS) != 0) frame.Flags |= CanFrameFlags.BitRateSwitch;
            if ((fdFlags & Can.CANFD_ESI) != 0) frame.Flags |= CanFrameFlags.ErrorStateIndicator;
        }
        else if (size == Can.CAN_MTU)
        {
            if (length > CanFrame.MaxClassicLength) return false;
            var len8Dlc = raw[Len8DlcOffset];
            if (length == CanFrame.MaxClassicLength && len8Dlc is > 8 and <= 15) frame.Len8Dlc = len8Dlc;
        }
        else
        {
            return false;
        }

        if ((canId & Can.CAN_EFF_FLAG) != 0) frame.Flags |= CanFrameFlags.Extended;
        if ((canId & Can.CAN_ERR_FLAG) != 0)
        {
            frame.Flags |= CanFrameFlags.Error;
            frame.Id = canId & Can.CAN_ERR_MASK;
        }
        else
        {
            frame.Id = canId & ((canId & Can.CAN_EFF_FLAG) != 0 ? Can.CAN_EFF_MASK : Can.CAN_SFF_MASK);
        }
        frame.Length = length;

        // A remote frame's length is the requested length; it carries no data.
        if ((canId & Can.CAN_RTR_FLAG) != 0 && size == Can.CAN_MTU)
        {
            frame.Flags |= CanFrameFlags.Remote;
            return true;
        }
        new ReadOnlySpan<byte>(raw + DataOffset, length).CopyTo(frame.Payload);
        return true;
    }
}
