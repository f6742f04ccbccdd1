using System.Runtime.InteropServices;

namespace CanMesh.Capture.Tests.Infrastructure;

/// <summary>Whether the kernel the tests run on offers SocketCAN raw sockets (AF_CAN), asked the way the capture asks.</summary>
internal static partial class KernelSocketCan
{
    private const int AF_CAN = 29, SOCK_RAW = 3, CAN_RAW = 1;

    /// <summary>True when socket(AF_CAN, SOCK_RAW, CAN_RAW) succeeds here.</summary>
    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        var fd = Socket(AF_CAN, SOCK_RAW, CAN_RAW);
        if (fd < 0) return false;
        Close(fd);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

/// <summary>
/// A fact about a kernel without SocketCAN: skipped, saying why, where the kernel has it (tests/vm covers real
/// SocketCAN in a guest with vcan interfaces).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NoSocketCanFactAttribute : FactAttribute
{
    public NoSocketCanFactAttribute()
    {
        if (KernelSocketCan.Available)
            Skip = "this kernel has SocketCAN (socket(AF_CAN) works), and the case needs one without it; tests/vm covers real SocketCAN";
    }
}
