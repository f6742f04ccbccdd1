using System.Diagnostics;
using CanMesh.Capture.Configuration;
using CanMesh.Store.Events;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>
/// Captures one Linux SocketCAN interface (can0, vcan0) through a CAN_RAW socket: many frames per system
/// call, the kernel's receive timestamp on every frame, and the kernel's drop counter turned into
/// <see cref="SourceCounters.KernelDrops"/> (ARCHITECTURE.md invariant 4). Receive only: it never transmits
/// (invariant 6). A kernel without SocketCAN, a missing or a down interface is waited for (see
/// <see cref="InterfaceUnavailable"/>) and picked up when it is there.
/// </summary>
public sealed class SocketCanSource : IFrameSource
{
    private readonly string _interfaceName;
    private readonly SocketCanSettings _settings;

    public SocketCanSource(string interfaceName, SocketCanSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        ArgumentNullException.ThrowIfNull(settings);
        // IFNAMSIZ is 16 with the terminating zero.
        if (interfaceName.Length > 15)
            throw new ArgumentException($"'{interfaceName}' is longer than a Linux interface name can be (15 characters).", nameof(interfaceName));
        if (settings.FramesPerRead is < 1 or > 1024)
            throw new ArgumentOutOfRangeException(nameof(settings), $"{interfaceName}: FramesPerRead must be 1..1024, not {settings.FramesPerRead}.");
        _interfaceName = interfaceName;
        _settings = settings;
    }

    public string Name => _interfaceName;
    public string Kind => "socketcan";
    public FrameOrigin Origin => FrameOrigin.LiveBus;

    public void Run(FrameSourceContext context, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(context);
        Layout.Verify();
        var interfaceId = context.ResolveInterface(_interfaceName);
        using var vector = new ReceiveVector(_settings.FramesPerRead);
        var loop = new SocketReadLoop(_interfaceName, _settings, context, interfaceId, vector);
        long downSince = 0;
        UnavailableCause? waitingFor = null;
        var mtuChecked = false;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                using var socket = RawCanSocket.TryOpen(_interfaceName, _settings, out var errno, out var step);
                if (socket is null)
                {
                    var unavailable = InterfaceUnavailable.From(_interfaceName, errno, step) ?? throw OpenFault(context, step, errno);
                    // Said once per cause: retries of the same cause are silent, a new one (the module loaded, the
                    // interface is still missing) is news.
                    if (unavailable.Cause != waitingFor)
                    {
                        EnterWaiting(context, unavailable);
                        waitingFor = unavailable.Cause;
                        if (downSince == 0) downSince = Stopwatch.GetTimestamp();
                    }
                    stopping.WaitHandle.WaitOne(_settings.RetryInterval);
                    continue;
                }

                LogOpened(context, socket);
                if (downSince != 0)
                {
                    var seconds = Stopwatch.GetElapsedTime(downSince).TotalSeconds;
                    SocketCanLog.BackUp(context.Logger, _interfaceName, seconds);
                    context.RecordEvent(CaptureEventKind.InterfaceUp, $"{_interfaceName}: up again after {seconds:0.0} s, reading");
                    downSince = 0;
                    waitingFor = null;
                }
                if (!mtuChecked)
                {
                    mtuChecked = true;
                    CheckMtu(context);
                }
                context.SetState(SourceState.Running);

                var ended = loop.Run(socket, stopping);
                if (ended != 0 && InterfaceUnavailable.From(_interfaceName, ended, "recvmmsg") is { } gone)
                {
                    EnterWaiting(context, gone);
                    waitingFor = gone.Cause;
                    downSince = Stopwatch.GetTimestamp();
                }
            }
        }
        finally
        {
            context.SetState(SourceState.Stopped);
        }
    }

    private void EnterWaiting(FrameSourceContext context, InterfaceUnavailable unavailable)
    {
        SocketCanLog.Unavailable(context.Logger, _interfaceName, unavailable.Reason, unavailable.Advice, _settings.RetryInterval.TotalSeconds);
        context.Counters.AddFault();
        context.SetState(SourceState.Waiting, unavailable.Reason);
        context.RecordEvent(CaptureEventKind.InterfaceDown, $"{_interfaceName}: {unavailable.Reason}; waiting for it. {unavailable.Advice}.");
    }

    private InvalidOperationException OpenFault(FrameSourceContext context, string step, int errno)
    {
        var advice = errno switch
        {
            Errno.EPERM or Errno.EACCES => " Raw CAN sockets need CAP_NET_RAW (and a large receive buffer CAP_NET_ADMIN): run as root or grant the capabilities.",
            Errno.ENOPROTOOPT => " The kernel lacks a socket option this configuration needs (CAN FD, filters or timestamps).",
            _ => "",
        };
        var message = $"{_interfaceName}: cannot open the CAN socket: {step} failed with {LibC.Describe(errno)}.{advice}";
        SocketCanLog.Failed(context.Logger, _interfaceName, step, LibC.Describe(errno));
        context.SetState(SourceState.Faulted, message);
        return new InvalidOperationException(message);
    }

    private void LogOpened(FrameSourceContext context, RawCanSocket socket) =>
        SocketCanLog.Opened(context.Logger, _interfaceName, socket.InterfaceIndex, socket.ReceiveBufferBytes,
            _settings.ReceiveBufferBytes,
            socket.ReceiveBufferCapped ? " (SO_RCVBUFFORCE not permitted: capped by net.core.rmem_max)" : "",
            _settings.Fd ? "on" : "off",
            _settings.Timestamps == TimestampSource.Hardware ? "hardware" : "kernel",
            _settings.Filters.Count, _settings.ErrorMask);

    /// <summary>
    /// Says so when configuration and interface disagree about CAN FD: a socket without CAN_RAW_FD_FRAMES
    /// never sees FD frames (the kernel skips them for it), which would otherwise lose them silently.
    /// </summary>
    private void CheckMtu(FrameSourceContext context)
    {
        int mtu;
        try
        {
            if (!int.TryParse(File.ReadAllText($"/sys/class/net/{_interfaceName}/mtu").Trim(), out mtu)) return;
        }
        catch (IOException)
        {
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }
        if (_settings.Fd && mtu == 16) SocketCanLog.ClassicOnly(context.Logger, _interfaceName, mtu);
        if (!_settings.Fd && mtu >= 72) SocketCanLog.FdIgnored(context.Logger, _interfaceName, mtu);
    }
}
