using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CanMesh.Flipper.Uart;

/// <summary>What a non-blocking read or write on the tty did.</summary>
internal enum TtyResult
{
    Done,

    /// <summary>Nothing to read now, or the output buffer is full (nobody reads at the other end): try later.</summary>
    WouldBlock,

    /// <summary>The device is gone (hangup, EIO) or failed otherwise.</summary>
    Failed,
}

/// <summary>
/// The service's own non-blocking descriptor on the serial device, for moving bytes. System.IO.Ports configures the
/// line (speed, 8N1, no flow control, the exclusive lock), but every read or write through its stream wakes its I/O
/// thread, which then polls the descriptor every millisecond for two more seconds: with a STATS line a second it
/// never sleeps (about 35 ms of CPU per second here). A plain read(2)/write(2) on a second descriptor of the same
/// tty uses the same settings and wakes nothing.
/// </summary>
internal sealed partial class TtyDescriptor : IDisposable
{
    // Linux values, the same on x64, arm64 and arm.
    private const int ReadWrite = 0x2;
    private const int NoControllingTerminal = 0x100;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int TryAgain = 11;
    private const int Interrupted = 4;

    private readonly SafeFileHandle _handle;

    private TtyDescriptor(SafeFileHandle handle) => _handle = handle;

    /// <summary>
    /// Opens <paramref name="path"/> read-write, non-blocking, and never as the controlling terminal: a service started
    /// by systemd leads its own session, and a tty opened without O_NOCTTY there would send it SIGHUP on an unplug.
    /// </summary>
    public static TtyDescriptor Open(string path)
    {
        var fd = NativeOpen(path, ReadWrite | NoControllingTerminal | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var message = Marshal.GetPInvokeErrorMessage(errno);
            // EACCES, EBUSY (another holder's exclusive lock), EPERM: the same class as SerialPort's refusal.
            if (errno is 13 or 16 or 1) throw new UnauthorizedAccessException($"{path}: {message}");
            throw new IOException($"{path}: {message}");
        }
        return new TtyDescriptor(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Reads what is there into <paramref name="buffer"/>, without waiting.</summary>
    public TtyResult Read(Span<byte> buffer, out int read, out string error)
    {
        while (true)
        {
            read = (int)NativeRead(_handle, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (read > 0)
            {
                error = "";
                return TtyResult.Done;
            }
            if (read == 0)
            {
                // End of file on a tty: the other side hung up.
                error = "end of input (hangup)";
                return TtyResult.Failed;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interrupted) continue;
            read = 0;
            error = errno == TryAgain ? "" : Marshal.GetPInvokeErrorMessage(errno);
            return errno == TryAgain ? TtyResult.WouldBlock : TtyResult.Failed;
        }
    }

    /// <summary>Writes all of <paramref name="bytes"/> unless the output buffer fills (then the rest is dropped).</summary>
    public TtyResult Write(ReadOnlySpan<byte> bytes, out string error)
    {
        while (!bytes.IsEmpty)
        {
            var written = NativeWrite(_handle, in MemoryMarshal.GetReference(bytes), bytes.Length);
            if (written > 0)
            {
                bytes = bytes[(int)written..];
                continue;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (written < 0 && errno == Interrupted) continue;
            error = written < 0 && errno != TryAgain ? Marshal.GetPInvokeErrorMessage(errno) : "";
            return written < 0 && errno != TryAgain ? TtyResult.Failed : TtyResult.WouldBlock;
        }
        error = "";
        return TtyResult.Done;
    }

    public void Dispose() => _handle.Dispose();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(SafeFileHandle fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(SafeFileHandle fd, in byte buffer, nint count);
}
