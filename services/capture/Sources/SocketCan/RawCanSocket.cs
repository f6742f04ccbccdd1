using CanMesh.Capture.Configuration;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>
/// One CAN_RAW socket bound to one interface, configured for capture: acceptance and error filters,
/// CAN FD, receive timestamps, the kernel drop counter and a large receive buffer. Receive only.
/// </summary>
internal sealed unsafe class RawCanSocket : IDisposable
{
    private int _fd;

    private RawCanSocket(int fd)
    {
        _fd = fd;
    }

    public int Fd => _fd;
    public int InterfaceIndex { get; private set; }

    /// <summary>What the kernel granted for the receive buffer (getsockopt SO_RCVBUF: twice what was set, for its bookkeeping).</summary>
    public int ReceiveBufferBytes { get; private set; }

    /// <summary>True when SO_RCVBUFFORCE was refused (no CAP_NET_ADMIN) and SO_RCVBUF, capped by net.core.rmem_max, was used.</summary>
    public bool ReceiveBufferCapped { get; private set; }

    /// <summary>
    /// Opens, configures and binds a socket. On failure returns null with the errno and the step that failed;
    /// EAFNOSUPPORT/EPROTONOSUPPORT (no SocketCAN in this kernel), ENODEV/ENXIO (no such interface) and
    /// ENETDOWN (interface down) are the ones worth retrying.
    /// </summary>
    public static RawCanSocket? TryOpen(string interfaceName, SocketCanSettings settings, out int errno, out string step)
    {
        // The socket comes first: on a kernel without SocketCAN no CAN interface exists either, and asking for the
        // interface first would blame its name for what a missing module causes. The call also lets the kernel
        // load can-raw by itself where the module is installed (request_module on an unknown family).
        step = "socket(AF_CAN, SOCK_RAW, CAN_RAW)";
        var fd = LibC.socket(Can.AF_CAN, Can.SOCK_RAW, Can.CAN_RAW);
        if (fd < 0)
        {
            errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            return null;
        }
        var socket = new RawCanSocket(fd);
        try
        {
            step = "if_nametoindex";
            var index = LibC.if_nametoindex(interfaceName);
            if (index == 0)
            {
                errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno is 0 or Errno.ENXIO) errno = Errno.ENODEV;
                return Fail(socket);
            }
            socket.InterfaceIndex = (int)index;

            // Every option is in place before bind, so no frame is queued under the defaults.
            errno = socket.Configure(settings, out step);
            if (errno != 0) return Fail(socket);

            step = "bind";
            var address = new SockaddrCan { Family = Can.AF_CAN, InterfaceIndex = (int)index };
            if (LibC.bind(fd, &address, sizeof(SockaddrCan)) < 0)
            {
                errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                return Fail(socket);
            }

            // Binding to a down interface succeeds and leaves ENETDOWN pending on the socket: take it now.
            step = "bind (interface state)";
            errno = socket.TakePendingError();
            if (errno != 0) return Fail(socket);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        static RawCanSocket? Fail(RawCanSocket socket)
        {
            socket.Dispose();
            return null;
        }
    }

    private int Configure(SocketCanSettings settings, out string step)
    {
        int one = 1;

        step = "CAN_RAW_FILTER";
        if (settings.Filters.Count > 0)
        {
            Span<CanFilterNative> filters = stackalloc CanFilterNative[settings.Filters.Count];
            for (var i = 0; i < filters.Length; i++)
            {
                var f = settings.Filters[i];
                filters[i] = new CanFilterNative { Id = f.Inverted ? f.Id | Can.CAN_INV_FILTER : f.Id, Mask = f.Mask };
            }
            fixed (CanFilterNative* p = filters)
            {
                if (!Set(Can.SOL_CAN_RAW, Can.CAN_RAW_FILTER, p, filters.Length * sizeof(CanFilterNative), out var e)) return e;
            }
        }

        step = "CAN_RAW_ERR_FILTER";
        var errorMask = settings.ErrorMask & Can.CAN_ERR_MASK;
        if (!Set(Can.SOL_CAN_RAW, Can.CAN_RAW_ERR_FILTER, &errorMask, sizeof(uint), out var errno)) return errno;

        // Never receive what this socket sent: it sends nothing, and the default is already off; stated for the reader.
        step = "CAN_RAW_RECV_OWN_MSGS";
        int zero = 0;
        if (!Set(Can.SOL_CAN_RAW, Can.CAN_RAW_RECV_OWN_MSGS, &zero, sizeof(int), out errno)) return errno;

        if (settings.Fd)
        {
            step = "CAN_RAW_FD_FRAMES";
            if (!Set(Can.SOL_CAN_RAW, Can.CAN_RAW_FD_FRAMES, &one, sizeof(int), out errno)) return errno;
        }

        if (settings.Timestamps == TimestampSource.Hardware)
        {
            step = "SO_TIMESTAMPING";
            int flags = Can.SOF_TIMESTAMPING_RX_HARDWARE | Can.SOF_TIMESTAMPING_RAW_HARDWARE |
                        Can.SOF_TIMESTAMPING_RX_SOFTWARE | Can.SOF_TIMESTAMPING_SOFTWARE;
            if (!Set(Can.SOL_SOCKET, Can.SO_TIMESTAMPING, &flags, sizeof(int), out errno)) return errno;
        }
        else
        {
            step = "SO_TIMESTAMPNS";
            if (!Set(Can.SOL_SOCKET, Can.SO_TIMESTAMPNS, &one, sizeof(int), out errno)) return errno;
        }

        step = "SO_RXQ_OVFL";
        if (!Set(Can.SOL_SOCKET, Can.SO_RXQ_OVFL, &one, sizeof(int), out errno)) return errno;

        // The kernel doubles the value and caps SO_RCVBUF at net.core.rmem_max; SO_RCVBUFFORCE (CAP_NET_ADMIN) is not capped.
        step = "SO_RCVBUFFORCE";
        var wanted = (int)Math.Clamp(settings.ReceiveBufferBytes, 1024, int.MaxValue / 2);
        if (!Set(Can.SOL_SOCKET, Can.SO_RCVBUFFORCE, &wanted, sizeof(int), out errno))
        {
            if (errno != Errno.EPERM) return errno;
            step = "SO_RCVBUF";
            ReceiveBufferCapped = true;
            if (!Set(Can.SOL_SOCKET, Can.SO_RCVBUF, &wanted, sizeof(int), out errno)) return errno;
        }
        int granted = 0, length = sizeof(int);
        if (LibC.getsockopt(_fd, Can.SOL_SOCKET, Can.SO_RCVBUF, &granted, &length) == 0) ReceiveBufferBytes = granted;
        return 0;
    }

    private bool Set(int level, int name, void* value, int length, out int errno)
    {
        if (LibC.setsockopt(_fd, level, name, value, length) == 0)
        {
            errno = 0;
            return true;
        }
        errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>Reads and clears the socket's pending error (SO_ERROR): ENETDOWN after the interface went down.</summary>
    public int TakePendingError()
    {
        int error = 0, length = sizeof(int);
        return LibC.getsockopt(_fd, Can.SOL_SOCKET, Can.SO_ERROR, &error, &length) == 0 ? error : 0;
    }

    /// <summary>
    /// Frames the kernel has dropped on this socket so far (SO_MEMINFO's drop count), or -1 if unknown.
    /// The SO_RXQ_OVFL control message only arrives with a later frame; this also sees drops at the end of a burst.
    /// </summary>
    public long KernelDrops()
    {
        uint* info = stackalloc uint[Can.SK_MEMINFO_VARS];
        int length = Can.SK_MEMINFO_VARS * sizeof(uint);
        if (LibC.getsockopt(_fd, Can.SOL_SOCKET, Can.SO_MEMINFO, info, &length) != 0 || length <= Can.SK_MEMINFO_DROPS * sizeof(uint))
            return -1;
        return info[Can.SK_MEMINFO_DROPS];
    }

    public void Dispose()
    {
        var fd = _fd;
        _fd = -1;
        if (fd >= 0) LibC.close(fd);
    }
}
