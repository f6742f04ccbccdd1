using CanMesh.Capture.Pipeline;
using CanMesh.Store;

namespace CanMesh.Capture.Configuration;

/// <summary>Everything the capture service is configured with, validated.</summary>
public sealed record CaptureSettings
{
    public required IReadOnlyList<InterfaceSettings> Interfaces { get; init; }
    public required PipelineSettings Pipeline { get; init; }
    public required StoreSettings Store { get; init; }
    public ApiSettings Api { get; init; } = new();

    /// <summary>How often stats are logged; zero turns the stats log off.</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop the service when every source has ended (replays without Loop, sims with a Count).</summary>
    public bool ExitWhenSourcesEnd { get; init; } = true;
}
