namespace CanMesh.Capture.Configuration;

/// <summary>One configured source (Capture:Interfaces:N). Exactly one of the per-kind settings is set.</summary>
public sealed record InterfaceSettings
{
    public required string Name { get; init; }
    public required SourceKind Source { get; init; }
    public SocketCanSettings? SocketCan { get; init; }
    public ReplaySettings? Replay { get; init; }
    public SimSettings? Sim { get; init; }
}
