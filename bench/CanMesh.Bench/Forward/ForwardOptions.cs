namespace CanMesh.Bench.Forward;

/// <summary>What the forward benchmark runs: how many frames, the forwarder's knobs, the PostgreSQL server.</summary>
internal sealed record ForwardOptions
{
    public long Frames { get; init; } = 5_000_000;
    public int Runs { get; init; } = 1;

    /// <summary>Forwarder:Commit:MaxFrames.</summary>
    public int CommitFrames { get; init; } = 65_536;

    /// <summary>Forwarder:BatchFrames (the subscription's max_batch_frames).</summary>
    public int BatchFrames { get; init; } = 4_096;

    public int PoolFrames { get; init; } = 65_536;
    public double ExtendedShare { get; init; } = 0.25;
    public double FdShare { get; init; }

    /// <summary>How often synced_seq is sampled while the forwarder drains.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A run fails when synced_seq does not move for this long.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public string Image { get; init; } = "local/postgres:15";

    /// <summary>Server settings passed as <c>postgres -c name=value</c>; none by default (the image's defaults).</summary>
    public IReadOnlyList<string> PostgresSettings { get; init; } = [];

    /// <summary>Folder for the capture database, the capture's configuration, socket and log, and the forwarder's logs.</summary>
    public required string Directory { get; init; }

    public string? CaptureExecutable { get; init; }

    /// <summary>canmesh-forwarder.dll builds to compare, each drained in every run (interleaved); empty: the one built next to canmesh-bench.</summary>
    public IReadOnlyList<string> ForwarderAssemblies { get; init; } = [];

    /// <summary>Keep the capture database, the PostgreSQL container and its databases.</summary>
    public bool Keep { get; init; }

    public string Describe() =>
        $"{Frames:N0} frames x {Runs} run{(Runs == 1 ? "" : "s")}, Forwarder:Commit:MaxFrames {CommitFrames:N0}, Forwarder:BatchFrames {BatchFrames:N0}, " +
        $"pool {PoolFrames:N0} frames ({ExtendedShare:P0} extended, {FdShare:P0} FD), synced_seq sampled every {PollInterval.TotalMilliseconds:F0} ms, " +
        $"PostgreSQL {Image}{(PostgresSettings.Count > 0 ? " -c " + string.Join(" -c ", PostgresSettings) : " (image defaults)")}, in {Directory}";
}
