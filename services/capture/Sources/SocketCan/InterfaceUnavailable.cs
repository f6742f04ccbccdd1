namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>Why an interface cannot be read now, among the causes that pass with time or one command.</summary>
internal enum UnavailableCause
{
    /// <summary>The kernel has no CAN_RAW sockets (can-raw not loaded, or not built).</summary>
    NoSocketCan,

    /// <summary>No interface of that name (a mistyped name, a vcan not created yet, a CAN HAT whose driver has not loaded).</summary>
    NoSuchInterface,

    /// <summary>The interface exists but is down.</summary>
    InterfaceDown,
}

/// <summary>
/// A failure to open an interface that the source waits out instead of faulting, with what a person can do
/// about it. A Raspberry Pi often starts the capture before its CAN HAT's driver (or can-raw) has loaded:
/// retrying every RetryInterval picks the interface up once it is there, without a restart, and the cause is
/// logged once (and again only when it changes), not once per retry.
/// </summary>
internal sealed record InterfaceUnavailable(UnavailableCause Cause, string Reason, string Advice)
{
    /// <summary>The cause behind <paramref name="errno"/> from <paramref name="step"/>, or null when it is not one to wait out.</summary>
    public static InterfaceUnavailable? From(string interfaceName, int errno, string step) => errno switch
    {
        Errno.EAFNOSUPPORT or Errno.EPROTONOSUPPORT => new(UnavailableCause.NoSocketCan,
            $"this kernel has no SocketCAN ({step} failed: {LibC.Describe(errno)})",
            "Load it with `sudo modprobe can-raw` (and `sudo modprobe vcan` for virtual interfaces; in a container, on the host)"),
        Errno.ENODEV or Errno.ENXIO => new(UnavailableCause.NoSuchInterface,
            $"no such interface ({LibC.Describe(errno)})",
            $"Check the name (`ip link show type can` lists the CAN interfaces, `ip link show type vcan` the virtual ones) or create it " +
            $"(`sudo ip link add dev {interfaceName} type vcan` for a virtual one; a CAN HAT's interface appears once its driver has loaded)"),
        Errno.ENETDOWN => new(UnavailableCause.InterfaceDown,
            $"the interface is down ({LibC.Describe(errno)})",
            $"Bring it up with `sudo ip link set {interfaceName} up type can bitrate 500000` (your bus's bitrate; `sudo ip link set {interfaceName} up` for a vcan)"),
        _ => null,
    };
}
