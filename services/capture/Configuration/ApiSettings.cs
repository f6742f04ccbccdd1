namespace CanMesh.Capture.Configuration;

/// <summary>Where the capture service's gRPC API listens (the Api section).</summary>
public sealed record ApiSettings
{
    public const string DefaultSocketPath = "/run/canmesh/capture.sock";

    /// <summary>Serve the API at all.</summary>
    public bool Enabled { get; init; } = true;

    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>chmod of the socket, octal: the owner and its group may connect.</summary>
    public string SocketMode { get; init; } = "0660";

    /// <summary>Group to own the socket (the group the forwarder and flipper run in); null keeps the process's.</summary>
    public string? SocketGroup { get; init; }

    /// <summary>Also listen on 127.0.0.1 at this port, for development tools; null for none.</summary>
    public int? TcpPort { get; init; }

    public static readonly TimeSpan DefaultHealthStallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Health answers NOT_SERVING once the store writer has been inside one SQLite call this long (a
    /// lock held by another process, a hung disk). Commits on an SD card take well under a second.
    /// </summary>
    public TimeSpan HealthStallTimeout { get; init; } = DefaultHealthStallTimeout;
}
