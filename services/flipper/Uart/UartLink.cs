using System.Collections.Concurrent;
using System.Text;
using CanMesh.Flipper.Configuration;

namespace CanMesh.Flipper.Uart;

/// <summary>What a look at the open device found.</summary>
internal enum LinkState
{
    Up,

    /// <summary>The device is gone or its driver failed: close it and wait for it to come back.</summary>
    Lost,
}

/// <summary>
/// Lines in and out of one open serial device. Incoming bytes are taken either by polling (a non-blocking read of
/// what is there, every poll interval) or by a read through the port's stream that is always pending, see
/// <see cref="UartReadMode"/>; either way they go through a bounded <see cref="LineSplitter"/>. Writes go one at a
/// time through the non-blocking descriptor: a full output buffer drops the line instead of blocking.
/// </summary>
internal sealed class UartLink : IDisposable
{
    /// <summary>The longest line kept; the protocol's lines are a few dozen bytes.</summary>
    public const int MaxLineBytes = 256;

    private readonly SerialDevice _device;
    private readonly UartReadMode _mode;
    private readonly LineSplitter _splitter = new(MaxLineBytes);
    private readonly byte[] _buffer = new byte[4096];
    private readonly object _writeLock = new();
    private readonly ConcurrentQueue<string> _pendingLines = new();
    private readonly CancellationTokenSource _stopReading = new();
    private readonly Task _reading = Task.CompletedTask;
    private volatile string? _lostReason;

    public UartLink(SerialDevice device, UartReadMode mode)
    {
        _device = device;
        _mode = mode;
        if (mode == UartReadMode.Pending) _reading = Task.Run(() => ReadPendingAsync(_stopReading.Token));
    }

    /// <summary>Why the device counts as lost, once <see cref="Check"/> said <see cref="LinkState.Lost"/>.</summary>
    public string LostReason => _lostReason ?? "";

    /// <summary>
    /// True if the last <see cref="Check"/> took bytes in: more are likely on their way (a pty or the kernel's tty
    /// buffer holds only a few KiB), so the caller looks again soon instead of after a whole poll interval.
    /// </summary>
    public bool Busy { get; private set; }

    /// <summary>Lines dropped for being longer than <see cref="MaxLineBytes"/>.</summary>
    public long OverlongLines => _splitter.OverlongLines;

    /// <summary>Takes what arrived since the last call, handing each complete line to <paramref name="onLine"/>.</summary>
    public LinkState Check(Action<string> onLine)
    {
        Busy = false;
        if (_mode == UartReadMode.Pending)
        {
            while (_pendingLines.TryDequeue(out var line)) onLine(line);
        }
        if (_lostReason is not null) return LinkState.Lost;
        // A USB adapter pulled out, a pty whose other end died: the path goes away while IsOpen stays true.
        if (!File.Exists(_device.Path)) return Lose("the device disappeared");
        if (_mode == UartReadMode.Poll) PollOnce(onLine);
        return _lostReason is null ? LinkState.Up : LinkState.Lost;
    }

    /// <summary>Sends one line ending in '\n'. False if it could not go out now (nobody reading); a failure marks the link lost.</summary>
    public bool TryWrite(string line)
    {
        var bytes = Encoding.ASCII.GetBytes(line + "\n");
        lock (_writeLock)
        {
            if (_lostReason is not null) return false;
            switch (_device.Tty.Write(bytes, out var error))
            {
                case TtyResult.Done:
                    return true;
                case TtyResult.WouldBlock:
                    return false;
                default:
                    Lose($"write failed: {error}");
                    return false;
            }
        }
    }

    private void PollOnce(Action<string> onLine)
    {
        // Reading only what is there keeps no read pending, so nothing polls between looks. At most 64 reads per
        // look: a flood of bytes cannot keep the loop from sending STATS.
        for (var reads = 0; reads < 64; reads++)
        {
            switch (_device.Tty.Read(_buffer, out var read, out var error))
            {
                case TtyResult.Done:
                    _splitter.Feed(_buffer.AsSpan(0, read), onLine);
                    Busy = true;
                    break;
                case TtyResult.WouldBlock:
                    return;
                default:
                    Lose($"read failed: {error}");
                    return;
            }
        }
    }

    private async Task ReadPendingAsync(CancellationToken stop)
    {
        try
        {
            var stream = _device.Port.BaseStream;
            while (!stop.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(_buffer, stop);
                if (read <= 0)
                {
                    Lose("end of input");
                    return;
                }
                _splitter.Feed(_buffer.AsSpan(0, read), _pendingLines.Enqueue);
                // Bounded even if nobody drains: the session takes lines every poll interval.
                while (_pendingLines.Count > 64) _pendingLines.TryDequeue(out _);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
        {
            if (!stop.IsCancellationRequested) Lose($"read failed: {e.Message}");
        }
    }

    private LinkState Lose(string reason)
    {
        _lostReason ??= reason;
        return LinkState.Lost;
    }

    /// <summary>Stops the pending read and closes the device with a deadline; false if the close was abandoned.</summary>
    public bool Close()
    {
        _stopReading.Cancel();
        var closed = _device.Close();
        // The pending read ends with the stream; it is not waited for past the close's own deadline.
        try
        {
            _reading.Wait(TimeSpan.FromMilliseconds(500));
        }
        catch (AggregateException)
        {
        }
        return closed;
    }

    public void Dispose() => _stopReading.Dispose();
}
