using System.Globalization;

namespace CanMesh.Rpc.Hosting;

/// <summary>Where and how a gRPC server listens. Binds from configuration (e.g. section "Grpc").</summary>
public sealed class UnixSocketListenerOptions
{
    /// <summary>Path of the socket file, e.g. /run/canmesh/capture.sock. Its directory is created if missing.</summary>
    public string SocketPath { get; set; } = string.Empty;

    /// <summary>Permission bits in octal as chmod takes them, e.g. "0660"; null keeps what the process umask gives.</summary>
    public string? SocketMode { get; set; }

    /// <summary>Group name (or numeric gid) to own the socket, so other containers' users in that group may connect; null keeps the process's group.</summary>
    public string? SocketGroup { get; set; }

    /// <summary>Also listen on 127.0.0.1 at this TCP port (0 picks a free one), for development tools; null for none.</summary>
    public int? LoopbackTcpPort { get; set; }

    /// <summary>Fails at start, with the offending key and value, rather than at the first client.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SocketPath))
        {
            throw new InvalidOperationException($"{nameof(SocketPath)} is required: the path of the Unix socket to listen on.");
        }

        // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
        if (System.Text.Encoding.UTF8.GetByteCount(Path.GetFullPath(SocketPath)) > 107)
        {
            throw new InvalidOperationException($"{nameof(SocketPath)} '{SocketPath}' is longer than the 107 bytes a Unix socket path may have.");
        }

        _ = ParseMode();
        if (LoopbackTcpPort is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{nameof(LoopbackTcpPort)} {LoopbackTcpPort} is not a TCP port (0..65535).");
        }
    }

    internal UnixFileMode? ParseMode()
    {
        if (string.IsNullOrWhiteSpace(SocketMode))
        {
            return null;
        }

        string digits = SocketMode.Trim();
        bool octal = digits.Length is >= 3 and <= 4 && digits.All(c => c is >= '0' and <= '7');
        if (!octal)
        {
            throw new InvalidOperationException($"{nameof(SocketMode)} '{SocketMode}' is not an octal permission mode such as \"0660\".");
        }

        int mode = 0;
        foreach (char c in digits)
        {
            mode = (mode * 8) + (c - '0');
        }

        if (mode > 0x1FF)
        {
            throw new InvalidOperationException($"{nameof(SocketMode)} '{SocketMode}': setuid, setgid and sticky bits mean nothing on a socket; give the last three digits only.");
        }

        return (UnixFileMode)mode;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"unix:{SocketPath} mode={SocketMode ?? "-"} group={SocketGroup ?? "-"} tcp={LoopbackTcpPort?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
}
