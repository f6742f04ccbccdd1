using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>The socket file's life around a listener: clear a stale one before binding, set its permissions after.</summary>
internal static class UnixSocketFile
{
    /// <summary>
    /// Creates the directory, and deletes a socket file left by a killed server (binding would fail
    /// with "address already in use"), but only when nothing answers on it: a live server keeps it.
    /// </summary>
    public static void PrepareForListening(string socketPath)
    {
        string fullPath = Path.GetFullPath(socketPath);
        string? directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Cannot create {directory}, the folder of the API socket {fullPath} (Api:SocketPath, env CANMESH_API__SOCKETPATH): {e.Message} " +
                    "Choose a socket path in a folder this user may create files in.", e);
            }
        }

        if (Directory.Exists(fullPath))
        {
            throw new IOException($"Cannot listen on {fullPath}: it is a directory. Choose a file path for the socket (Api:SocketPath, env CANMESH_API__SOCKETPATH).");
        }

        if (!File.Exists(fullPath))
        {
            return;
        }

        // A socket file has no content; refusing non-empty files keeps a mistyped path from
        // deleting someone's data (.NET cannot tell a socket from a regular file without lstat).
        if (new FileInfo(fullPath).Length > 0)
        {
            throw new IOException($"Cannot listen on {fullPath}: a regular file with content is in the way. Remove it or choose another socket path (Api:SocketPath, env CANMESH_API__SOCKETPATH).");
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(fullPath));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody listens: the file is what a killed server left behind.
            File.Delete(fullPath);
            return;
        }
        catch (SocketException e)
        {
            throw new IOException($"Cannot listen on {fullPath}: probing the existing socket file failed ({e.SocketErrorCode}: {e.Message}). Remove it by hand if no server uses it.", e);
        }

        throw new IOException($"Cannot listen on {fullPath}: another server is listening on it. Stop that server, or give this one another socket path (Api:SocketPath, env CANMESH_API__SOCKETPATH).");
    }

    /// <summary>Sets mode and group so clients running as other users (other containers) may connect.</summary>
    public static void ApplyPermissions(string socketPath, UnixFileMode? mode, string? group)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Socket permissions are POSIX modes and groups; CanMesh servers run on Linux.");
        }

        string fullPath = Path.GetFullPath(socketPath);
        if (group is not null)
        {
            uint gid = ResolveGroup(group);
            if (LibC.chown(fullPath, LibC.KeepOwner, gid) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"Cannot give socket {fullPath} to group '{group}' (gid {gid}): {Marshal.GetPInvokeErrorMessage(errno)}. The process must be root or a member of that group.");
            }
        }

        if (mode is { } bits)
        {
            File.SetUnixFileMode(fullPath, bits);
        }
    }

    /// <summary>Permission bits from octal text as chmod takes it ("0660", "660"); validated by the settings reader.</summary>
    public static UnixFileMode ParseMode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    /// <summary>Best effort on a clean stop, so the next start finds no file at all.</summary>
    public static void DeleteIfExists(string socketPath)
    {
        try
        {
            File.Delete(Path.GetFullPath(socketPath));
        }
        catch (IOException)
        {
            // The next start's stale-file check handles whatever is left.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private static uint ResolveGroup(string group)
    {
        if (LibC.TryGetGroupId(group, out uint gid))
        {
            return gid;
        }

        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
        {
            return gid;
        }

        throw new InvalidOperationException($"SocketGroup '{group}' is neither a known group name nor a numeric gid. Create the group or fix the setting.");
    }
}
