using System.Runtime.InteropServices;

namespace CanMesh.Capture.Sources.SocketCan;

// Kernel ABI of SocketCAN and the socket calls, as laid out on LP64 Linux (linux-x64 and linux-arm64
// share these layouts: 8-byte pointers and size_t, natural alignment). Sizes are asserted in Layout.

/// <summary>Constants from linux/can.h, linux/can/raw.h and asm-generic/socket.h.</summary>
internal static class Can
{
    public const int AF_CAN = 29, SOCK_RAW = 3, CAN_RAW = 1;

    public const int SOL_SOCKET = 1;
    public const int SO_ERROR = 4, SO_RCVBUF = 8, SO_RCVBUFFORCE = 33;
    public const int SO_TIMESTAMPNS = 35, SCM_TIMESTAMPNS = 35;   // the 64-bit time_t ("old") variants on LP64
    public const int SO_TIMESTAMPING = 37, SCM_TIMESTAMPING = 37;
    public const int SO_RXQ_OVFL = 40;
    public const int SO_MEMINFO = 55;
    public const int SK_MEMINFO_DROPS = 8, SK_MEMINFO_VARS = 9;

    public const int SOF_TIMESTAMPING_RX_HARDWARE = 1 << 2, SOF_TIMESTAMPING_RX_SOFTWARE = 1 << 3;
    public const int SOF_TIMESTAMPING_SOFTWARE = 1 << 4, SOF_TIMESTAMPING_RAW_HARDWARE = 1 << 6;

    public const int SOL_CAN_RAW = 101;
    public const int CAN_RAW_FILTER = 1, CAN_RAW_ERR_FILTER = 2, CAN_RAW_LOOPBACK = 3, CAN_RAW_RECV_OWN_MSGS = 4;
    public const int CAN_RAW_FD_FRAMES = 5;

    public const uint CAN_EFF_FLAG = 0x8000_0000, CAN_RTR_FLAG = 0x4000_0000, CAN_ERR_FLAG = 0x2000_0000;
    public const uint CAN_SFF_MASK = 0x7FF, CAN_EFF_MASK = 0x1FFF_FFFF, CAN_ERR_MASK = 0x1FFF_FFFF;
    public const uint CAN_INV_FILTER = 0x2000_0000;

    public const byte CANFD_BRS = 0x01, CANFD_ESI = 0x02;

    /// <summary>Bytes one read returns: struct can_frame, struct canfd_frame.</summary>
    public const int CAN_MTU = 16, CANFD_MTU = 72;

    public const short POLLIN = 0x001, POLLERR = 0x008, POLLHUP = 0x010, POLLNVAL = 0x020;
    public const int MSG_DONTWAIT = 0x40, MSG_CTRUNC = 0x08;
}

/// <summary>struct sockaddr_can (24 bytes): family, interface index, and a 16-byte protocol union unused by CAN_RAW.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrCan
{
    public ushort Family;
    public int InterfaceIndex;
    public ulong Unused0, Unused1;
}

/// <summary>struct can_filter.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CanFilterNative
{
    public uint Id;
    public uint Mask;
}

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}

/// <summary>struct msghdr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public int NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary>struct mmsghdr: a msghdr and the byte count the kernel received into it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MMsgHdr
{
    public MsgHdr Header;
    public uint Length;
}

/// <summary>struct cmsghdr; its data starts at the next 8-byte boundary (CMSG_ALIGN).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CMsgHdr
{
    public nuint Length;
    public int Level;
    public int Type;
}

/// <summary>struct timespec with a 64-bit time_t.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short ReturnedEvents;
}

/// <summary>Sizes the kernel expects; checked once so a layout mistake fails loudly instead of corrupting reads.</summary>
internal static unsafe class Layout
{
    public static void Verify()
    {
        Check(sizeof(SockaddrCan), 24, "sockaddr_can");
        Check(sizeof(IoVec), 16, "iovec");
        Check(sizeof(MsgHdr), 56, "msghdr");
        Check(sizeof(MMsgHdr), 64, "mmsghdr");
        Check(sizeof(CMsgHdr), 16, "cmsghdr");
        Check(sizeof(Timespec), 16, "timespec");
        Check(sizeof(PollFd), 8, "pollfd");
        Check(sizeof(CanFilterNative), 8, "can_filter");
    }

    private static void Check(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new PlatformNotSupportedException($"struct {name} is {actual} bytes here, the kernel expects {expected}: SocketCAN needs 64-bit Linux.");
    }
}
