using System.Runtime.InteropServices;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>
/// The preallocated recvmmsg vector: for each slot a message header, one iovec pointing at a
/// canfd_frame-sized buffer, and a control buffer for the timestamp and drop-counter messages.
/// One native block, allocated once per source; reading allocates nothing.
/// </summary>
internal sealed unsafe class ReceiveVector : IDisposable
{
    // SCM_TIMESTAMPING (16 + 3 * 16) + SO_RXQ_OVFL (16 + 4, aligned 24) fit with room to spare.
    private const int ControlBytes = 128;
    private const int FrameBytes = Can.CANFD_MTU;

    private readonly int _slots;
    private byte* _block;
    private MMsgHdr* _messages;
    private int _used;

    public ReceiveVector(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots, 1024);
        _slots = slots;
        var size = (nuint)slots * (nuint)(sizeof(MMsgHdr) + sizeof(IoVec) + FrameBytes + ControlBytes);
        _block = (byte*)NativeMemory.AlignedAlloc(size, 64);
        NativeMemory.Clear(_block, size);
        _messages = (MMsgHdr*)_block;
        var iovs = (IoVec*)(_messages + slots);
        var frames = (byte*)(iovs + slots);
        var controls = frames + slots * FrameBytes;
        for (var i = 0; i < slots; i++)
        {
            iovs[i] = new IoVec { Base = frames + i * FrameBytes, Length = FrameBytes };
            _messages[i].Header.Iov = &iovs[i];
            _messages[i].Header.IovLength = 1;
            _messages[i].Header.Control = controls + i * ControlBytes;
            _messages[i].Header.ControlLength = ControlBytes;
        }
        _used = 0;
    }

    public int Slots => _slots;

    /// <summary>
    /// Reads up to <see cref="Slots"/> frames without waiting. Returns how many arrived (0 when none were
    /// queued), or a negative errno.
    /// </summary>
    public int Receive(int fd)
    {
        // The kernel shrinks each used slot's control length to what it wrote: restore them.
        for (var i = 0; i < _used; i++)
        {
            _messages[i].Header.ControlLength = ControlBytes;
            _messages[i].Header.Flags = 0;
        }
        _used = 0;
        var count = LibC.recvmmsg(fd, _messages, (uint)_slots, Can.MSG_DONTWAIT, null);
        if (count < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Errno.EAGAIN ? 0 : -errno;
        }
        _used = count;
        return count;
    }

    /// <summary>Bytes received into slot <paramref name="slot"/>: 16 for a can_frame, 72 for a canfd_frame.</summary>
    public int Length(int slot) => (int)_messages[slot].Length;

    public byte* Frame(int slot) => (byte*)_messages[slot].Header.Iov->Base;

    /// <summary>Reads slot <paramref name="slot"/>'s control messages: timestamps and the socket's drop counter.</summary>
    public ReceivedControl Control(int slot)
    {
        ref var header = ref _messages[slot].Header;
        var result = new ReceivedControl { DropCounter = -1 };
        var p = (byte*)header.Control;
        var end = p + (long)header.ControlLength;
        while (p + sizeof(CMsgHdr) <= end)
        {
            var cmsg = (CMsgHdr*)p;
            var length = (long)cmsg->Length;
            if (length < sizeof(CMsgHdr) || p + length > end) break;
            var data = p + sizeof(CMsgHdr);
            if (cmsg->Level == Can.SOL_SOCKET)
            {
                switch (cmsg->Type)
                {
                    case Can.SCM_TIMESTAMPNS when length >= sizeof(CMsgHdr) + sizeof(Timespec):
                        result.SoftwareNs = ToNs((Timespec*)data);
                        break;
                    case Can.SCM_TIMESTAMPING when length >= sizeof(CMsgHdr) + 3 * sizeof(Timespec):
                        // struct scm_timestamping: [0] software, [1] deprecated, [2] raw hardware.
                        result.SoftwareNs = ToNs((Timespec*)data);
                        result.HardwareNs = ToNs((Timespec*)data + 2);
                        break;
                    case Can.SO_RXQ_OVFL when length >= sizeof(CMsgHdr) + sizeof(uint):
                        result.DropCounter = *(uint*)data;
                        break;
                }
            }
            p += (length + 7) & ~7L;
        }
        return result;
    }

    private static long ToNs(Timespec* ts) => ts->Seconds * 1_000_000_000 + ts->Nanoseconds;

    public void Dispose()
    {
        if (_block is null) return;
        NativeMemory.AlignedFree(_block);
        _block = null;
        _messages = null;
    }
}

/// <summary>What the control messages of one received frame said.</summary>
internal struct ReceivedControl
{
    /// <summary>Kernel receive time (ns since the epoch), 0 if absent.</summary>
    public long SoftwareNs;

    /// <summary>The controller's time (ns), 0 when the driver gives none.</summary>
    public long HardwareNs;

    /// <summary>The socket's cumulative drop count when the frame was queued, -1 when not sent (no drops yet).</summary>
    public long DropCounter;
}
