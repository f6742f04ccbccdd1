using System.Diagnostics;
using CanMesh.Capture.Configuration;
using CanMesh.Frames;

namespace CanMesh.Capture.Sources.SocketCan;

/// <summary>
/// Reads one open socket until the interface goes away or capture stops: poll, then recvmmsg bursts
/// into the preallocated vector, frames decoded straight into pooled batches. Allocates nothing per frame.
/// </summary>
internal sealed unsafe class SocketReadLoop
{
    /// <summary>Longest poll wait: bounds how late a stop request is noticed on an idle bus.</summary>
    private const int IdlePollMs = 150;

    /// <summary>
    /// How long a partly filled batch may wait for more frames before it is handed on: low latency, yet
    /// at most ~200 batches per second per interface however the frames trickle in.
    /// </summary>
    private static readonly long BatchLingerTicks = Stopwatch.Frequency / 200;

    private readonly string _interfaceName;
    private readonly SocketCanSettings _settings;
    private readonly FrameSourceContext _context;
    private readonly ushort _interfaceId;
    private readonly ReceiveVector _vector;
    private FrameBatch? _batch;
    private long _batchStarted;
    private uint _dropCounter;
    private bool _hardwareTimestampsMissingLogged;
    private long _malformed;

    public SocketReadLoop(string interfaceName, SocketCanSettings settings, FrameSourceContext context, ushort interfaceId, ReceiveVector vector)
    {
        _interfaceName = interfaceName;
        _settings = settings;
        _context = context;
        _interfaceId = interfaceId;
        _vector = vector;
    }

    /// <summary>
    /// Reads until <paramref name="stopping"/> is cancelled (returns 0) or the interface went down or away
    /// (returns ENETDOWN or ENODEV, after reading what was still queued). Other socket errors throw.
    /// </summary>
    public int Run(RawCanSocket socket, CancellationToken stopping)
    {
        _dropCounter = 0; // the kernel counts per socket, from 0
        var pollFd = new PollFd { Fd = socket.Fd, Events = Can.POLLIN };
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                pollFd.ReturnedEvents = 0;
                var ready = LibC.poll(&pollFd, 1, PollTimeoutMs());
                if (ready < 0)
                {
                    var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    throw Fault("poll", errno);
                }
                if (ready == 0)
                {
                    // Quiet: hand on what is waiting, and catch drops no later frame has reported yet.
                    SubmitBatch();
                    NoteDropCounter(socket.KernelDrops());
                    continue;
                }
                // Readable or an error is pending (POLLERR): recvmmsg reports either.
                var ended = ReadBurst(socket, stopping);
                if (ended != 0) return ended;
                if (_batch is not null && Stopwatch.GetTimestamp() - _batchStarted >= BatchLingerTicks) SubmitBatch();
            }
            return 0;
        }
        finally
        {
            SubmitBatch();
            NoteDropCounter(socket.KernelDrops());
        }
    }

    private int PollTimeoutMs()
    {
        if (_batch is null) return IdlePollMs;
        var left = _batchStarted + BatchLingerTicks - Stopwatch.GetTimestamp();
        return left <= 0 ? 0 : (int)Math.Min(IdlePollMs, left * 1000 / Stopwatch.Frequency + 1);
    }

    /// <summary>Reads while full vectors keep coming. Returns 0, or ENETDOWN/ENODEV when the interface left.</summary>
    private int ReadBurst(RawCanSocket socket, CancellationToken stopping)
    {
        while (true)
        {
            var received = _vector.Receive(socket.Fd);
            if (received < 0)
            {
                var errno = -received;
                if (errno == Errno.EINTR) continue;
                if (errno is Errno.ENETDOWN or Errno.ENODEV)
                {
                    // The error is reported before frames still queued: read those too, they were received.
                    while ((received = _vector.Receive(socket.Fd)) > 0) Append(received);
                    return errno;
                }
                throw Fault("recvmmsg", errno);
            }
            if (received == 0) return 0;
            Append(received);
            if (received < _vector.Slots || stopping.IsCancellationRequested) return 0;
        }
    }

    private void Append(int received)
    {
        for (var slot = 0; slot < received; slot++)
        {
            if (_batch is null)
            {
                _batch = _context.Batches.Rent();
                _batchStarted = Stopwatch.GetTimestamp();
            }
            ref var frame = ref _batch.Append();
            var size = _vector.Length(slot);
            if (!CanFrameDecoder.TryDecode(_vector.Frame(slot), size, ref frame))
            {
                _batch.RemoveLast();
                _context.Counters.AddMalformed(1);
                if (_malformed++ == 0) SocketCanLog.Malformed(_context.Logger, _interfaceName, 1, size);
                continue;
            }
            frame.InterfaceId = _interfaceId;
            var control = _vector.Control(slot);
            frame.TimestampNs = Timestamp(in control);
            if (control.DropCounter >= 0) NoteDropCounter(control.DropCounter);
            if (_batch.IsFull) SubmitBatch();
        }
    }

    private long Timestamp(in ReceivedControl control)
    {
        if (_settings.Timestamps == TimestampSource.Hardware)
        {
            if (control.HardwareNs != 0) return control.HardwareNs;
            if (!_hardwareTimestampsMissingLogged)
            {
                _hardwareTimestampsMissingLogged = true;
                SocketCanLog.NoHardwareTimestamps(_context.Logger, _interfaceName);
            }
        }
        if (control.SoftwareNs != 0) return control.SoftwareNs;
        // Without a control message (it was truncated), the read time is the best that is left.
        var now = _context.Time.GetUtcNow();
        return (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
    }

    /// <summary>
    /// Turns the socket's cumulative drop count (from a frame's SO_RXQ_OVFL message or SO_MEMINFO) into
    /// added kernel drops. Counts from earlier-queued frames can lag a later reading: only increases count.
    /// </summary>
    private void NoteDropCounter(long counter)
    {
        if (counter < 0) return;
        var delta = unchecked((uint)counter - _dropCounter);
        if (delta == 0 || delta >= 0x8000_0000) return;
        _dropCounter = (uint)counter;
        _context.Counters.AddKernelDrops(delta);
    }

    private void SubmitBatch()
    {
        var batch = _batch;
        if (batch is null) return;
        _batch = null;
        _context.Submit(batch);
    }

    private IOException Fault(string what, int errno)
    {
        var message = $"{_interfaceName}: {what} failed: {LibC.Describe(errno)}";
        SocketCanLog.Failed(_context.Logger, _interfaceName, what, LibC.Describe(errno));
        return new IOException(message);
    }
}
