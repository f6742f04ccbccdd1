using CanMesh.Frames;

namespace CanMesh.Store.Writing;

/// <summary>
/// The frames.flags column: bits 0-7 <see cref="CanFrameFlags"/>, bits 8-11 len8_dlc, bits 12-15
/// <see cref="CanFdFlagsExtra"/> (the FD flags digit's bits beyond BRS/ESI), bits 16-23 the requested length of a
/// remote frame (its data column is empty). One integer instead of four columns keeps rows small and inserts fast;
/// the can_messages view spells it out.
/// </summary>
/// <remarks>
/// Bits 12-15 were always 0 before they held <see cref="CanFdFlagsExtra"/>, and 0 is <see cref="CanFdFlagsExtra.None"/>:
/// rows written by older versions read back as the same frames, with no schema migration.
/// </remarks>
internal static class FrameFlagsColumn
{
    public static long Pack(in CanFrame frame)
    {
        long value = (byte)frame.Flags | ((long)(frame.Len8Dlc & 0xF) << 8) | ((long)((byte)frame.FdFlagsExtra & 0xF) << 12);
        if ((frame.Flags & CanFrameFlags.Remote) != 0) value |= (long)frame.Length << 16;
        return value;
    }

    /// <summary>Restores flags, len8_dlc, the FD flags digit's extra bits and (for remote frames) the length; data frames take their length from the blob.</summary>
    public static void Unpack(long value, ref CanFrame frame, int dataLength)
    {
        frame.Flags = (CanFrameFlags)(value & 0xFF);
        frame.Len8Dlc = (byte)((value >> 8) & 0xF);
        frame.FdFlagsExtra = (CanFdFlagsExtra)((value >> 12) & 0xF);
        frame.Length = (frame.Flags & CanFrameFlags.Remote) != 0 ? (byte)((value >> 16) & 0xFF) : (byte)dataLength;
    }
}
