using System.IO.Ports;

namespace CanMesh.Flipper.Uart;

/// <summary>What an attempt to open the device found.</summary>
internal enum OpenOutcome
{
    Opened,

    /// <summary>No such path (not plugged in, the overlay not loaded, the pty not made yet).</summary>
    Missing,

    /// <summary>The path is there but cannot be opened: in use by another process or not permitted.</summary>
    Refused,

    /// <summary>Any other I/O error (wrong kind of file, the driver refused the settings).</summary>
    Failed,
}

/// <summary>
/// One open of the serial device with System.IO.Ports, and a close that cannot hang. The pitfalls this works
/// around are in /work/shared/notes/serial.md: Open() says UnauthorizedAccessException for a missing, busy or
/// forbidden device alike; stale input from before the open is still readable; after an unplug IsOpen stays true
/// and a Dispose during a stuck write never returns.
/// </summary>
internal sealed class SerialDevice
{
    /// <summary>
    /// Bounds a write through the port's own stream, should anything use it: without one such a write never completes
    /// after an unplug, and the port's Dispose then hangs. The service itself writes through <see cref="Tty"/>.
    /// </summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long a close may take before it is left to finish (or not) on its own.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private SerialDevice(string path, SerialPort port, TtyDescriptor tty)
    {
        Path = path;
        Port = port;
        Tty = tty;
    }

    public string Path { get; }

    /// <summary>Configures the line and holds the exclusive lock; its stream is read only in <see cref="Configuration.UartReadMode.Pending"/> mode.</summary>
    public SerialPort Port { get; }

    /// <summary>The non-blocking descriptor bytes are written (and polled reads made) through.</summary>
    public TtyDescriptor Tty { get; }

    /// <summary>Opens <paramref name="path"/> at <paramref name="baudRate"/> 8N1, no flow control; null with the reason when it cannot.</summary>
    public static (SerialDevice? Device, OpenOutcome Outcome, string Detail) TryOpen(string path, int baudRate)
    {
        if (!File.Exists(path)) return (null, OpenOutcome.Missing, "no such device");
        // The modem lines (DTR, RTS) are left alone: on a pty, touching them throws "Inappropriate ioctl for device".
        var port = new SerialPort(path, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            WriteTimeout = (int)WriteTimeout.TotalMilliseconds,
            ReadTimeout = 1_000,
        };
        TtyDescriptor? tty = null;
        try
        {
            // Opened before the port: the port sets TIOCEXCL, which refuses later opens by anyone but root.
            tty = TtyDescriptor.Open(path);
            port.Open();
            // Bytes the Flipper sent while nobody had the port open (an INIT from an earlier session) are stale.
            port.DiscardInBuffer();
            return (new SerialDevice(path, port, tty), OpenOutcome.Opened, "");
        }
        catch (UnauthorizedAccessException e)
        {
            tty?.Dispose();
            port.Dispose();
            // The path may have vanished between the check and the open.
            return File.Exists(path)
                ? (null, OpenOutcome.Refused, $"in use by another process or not permitted (is the login console on it? is the user in the dialout group?): {e.Message}")
                : (null, OpenOutcome.Missing, "no such device");
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            tty?.Dispose();
            port.Dispose();
            return (null, OpenOutcome.Failed, e.Message);
        }
    }

    /// <summary>
    /// Closes the stream first, then the port, on a pool thread with a deadline: after an unplug or during a stuck
    /// write the port's own Dispose can block forever. Returns false if the deadline passed (the close is abandoned).
    /// </summary>
    public bool Close()
    {
        var port = Port;
        var tty = Tty;
        var closing = Task.Run(() =>
        {
            tty.Dispose();
            try
            {
                if (port.IsOpen) port.BaseStream.Dispose();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or UnauthorizedAccessException)
            {
            }
            try
            {
                port.Dispose();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or UnauthorizedAccessException)
            {
            }
        });
        return closing.Wait(CloseTimeout);
    }
}
