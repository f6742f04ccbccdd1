using System.Runtime.InteropServices;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>
/// The libc calls a SocketCAN reader needs, and nothing else. There is deliberately no write, send or
/// sendmsg here: the capture service never transmits on a bus (ARCHITECTURE.md invariant 6).
/// </summary>
/// <remarks>"libc" resolves to the C library on glibc Linux (.NET maps the name to libc.so.6).</remarks>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    [LibraryImport(Library, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int bind(int fd, SockaddrCan* address, int addressLength);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, void* value, int valueLength);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, int* valueLength);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int recvmmsg(int fd, MMsgHdr* messages, uint count, int flags, Timespec* timeout);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int poll(PollFd* fds, ulong count, int timeoutMs);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint if_nametoindex(string name);

    [LibraryImport(Library)]
    private static partial nint strerror(int errno);

    /// <summary>"ENETDOWN (Network is down)"-style text for log lines.</summary>
    public static string Describe(int errno)
    {
        var name = errno switch
        {
            Errno.EPERM => "EPERM", Errno.ENOENT => "ENOENT", Errno.EINTR => "EINTR", Errno.ENXIO => "ENXIO",
            Errno.EAGAIN => "EAGAIN", Errno.ENOMEM => "ENOMEM", Errno.EACCES => "EACCES", Errno.ENODEV => "ENODEV",
            Errno.EINVAL => "EINVAL", Errno.ENOPROTOOPT => "ENOPROTOOPT", Errno.EAFNOSUPPORT => "EAFNOSUPPORT",
            Errno.EADDRNOTAVAIL => "EADDRNOTAVAIL", Errno.ENETDOWN => "ENETDOWN", Errno.EPROTONOSUPPORT => "EPROTONOSUPPORT",
            _ => "errno " + errno,
        };
        var text = Marshal.PtrToStringUTF8(strerror(errno));
        return text is null ? name : $"{name} ({text})";
    }
}

/// <summary>The errno values this reader tells apart (identical on linux-x64 and linux-arm64).</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, ENXIO = 6, EAGAIN = 11, ENOMEM = 12, EACCES = 13;
    public const int ENODEV = 19, EINVAL = 22, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, EAFNOSUPPORT = 97;
    public const int EADDRNOTAVAIL = 99, ENETDOWN = 100;
}
