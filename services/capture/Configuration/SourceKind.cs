namespace CanMesh.Capture.Configuration;

/// <summary>Which frame source reads an interface (Capture:Interfaces:N:Source).</summary>
public enum SourceKind
{
    /// <summary>A Linux SocketCAN interface (can0, vcan0) through a raw socket.</summary>
    SocketCan,

    /// <summary>A candump log file played back.</summary>
    Replay,

    /// <summary>Synthetic frames, for demos and benchmarks without CAN hardware.</summary>
    Sim,
}
