using CanMesh.Frames;

namespace CanMesh.Store.Tests;

/// <summary>Frames of every kind the store must keep exactly.</summary>
internal static class TestFrames
{
    public const long BaseNs = 1_700_000_000_123_456_789;

    public static CanFrame Make(ushort iface, uint id, CanFrameFlags flags, byte[] data, long ts, byte length = 0, byte len8Dlc = 0)
    {
        var frame = new CanFrame { InterfaceId = iface, Id = id, Flags = flags, TimestampNs = ts, Len8Dlc = len8Dlc };
        if ((flags & CanFrameFlags.Remote) != 0)
        {
            frame.Length = length;
        }
        else
        {
            frame.Length = (byte)data.Length;
            data.CopyTo(frame.Data);
        }
        return frame;
    }

    /// <summary>One of each: classic std/ext, empty, remote with and without length, error, FD with each flag, len8_dlc, 64 bytes.</summary>
    public static CanFrame[] EveryKind(ushort iface)
    {
        var sixtyFour = Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 3)).ToArray();
        return
        [
            Make(iface, 0x123, CanFrameFlags.None, [0xDE, 0xAD, 0xBE, 0xEF], BaseNs),
            Make(iface, 0x1ABCDEF0 & CanFrame.MaxExtendedId, CanFrameFlags.Extended, [1, 2, 3, 4, 5, 6, 7, 8], BaseNs + 1),
            Make(iface, 0x7FF, CanFrameFlags.None, [], BaseNs + 2),
            Make(iface, 0x321, CanFrameFlags.Remote, [], BaseNs + 3, length: 0),
            Make(iface, 0x00000285, CanFrameFlags.Remote | CanFrameFlags.Extended, [], BaseNs + 4, length: 6),
            Make(iface, 0x04, CanFrameFlags.Error, [0, 4, 0, 0, 0, 0, 0, 0], BaseNs + 5),
            Make(iface, 0x456, CanFrameFlags.Fd, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2], BaseNs + 6),
            Make(iface, 0x457, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, sixtyFour, BaseNs + 7),
            Make(iface, 0x458, CanFrameFlags.Fd | CanFrameFlags.ErrorStateIndicator, [0xAA], BaseNs + 8),
            Make(iface, 0x459, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch | CanFrameFlags.ErrorStateIndicator, [], BaseNs + 9),
            Make(iface, 0x100, CanFrameFlags.None, [1, 1, 2, 2, 3, 3, 4, 4], BaseNs + 10, len8Dlc: 0xC),
        ];
    }

    public static CanFrame[] Sequence(ushort iface, int count, long startNs = BaseNs, long stepNs = 1_000_000)
    {
        var frames = new CanFrame[count];
        for (var i = 0; i < count; i++)
        {
            frames[i] = Make(iface, (uint)(0x100 + i % 0x600), CanFrameFlags.None,
                BitConverter.GetBytes((long)i)[..(i % 9)], startNs + i * stepNs);
        }
        return frames;
    }
}
