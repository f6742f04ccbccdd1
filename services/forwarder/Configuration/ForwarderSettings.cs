namespace CanMesh.Forwarder.Configuration;

/// <summary>Everything the forwarder runs with, validated (<see cref="ForwarderSettingsReader"/>).</summary>
public sealed record ForwarderSettings
{
    /// <summary>The capture service's Unix socket (Capture:Socket).</summary>
    public string CaptureSocket { get; init; } = DefaultCaptureSocket;

    public const string DefaultCaptureSocket = "/run/canmesh/capture.sock";

    /// <summary>The subscriber name the capture service keeps this forwarder's watermark under.</summary>
    public string Subscriber { get; init; } = "forwarder";

    /// <summary>Frames per subscription batch asked of the capture service.</summary>
    public int BatchFrames { get; init; } = 4_096;

    /// <summary>A PostgreSQL transaction holds at most this many frames...</summary>
    public int CommitMaxFrames { get; init; } = 65_536;

    /// <summary>
    /// ...and waits at most this long after its first frame before it commits. Live, time decides (65,536 frames
    /// take 1.6 s at 40,000 frames/s), so this sets how fresh PostgreSQL is: with the capture's own 100 ms commit
    /// delay, a frame reaches PostgreSQL within about 0.3 s (p99 in bench/README.md's soak), for ten small
    /// transactions a second. 500 ms halved the commits but put p99 near 0.9 s.
    /// </summary>
    public TimeSpan CommitMaxDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The first retry after a failure waits up to this long (full jitter)...</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>...doubling per failure up to this cap.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the stats line is logged; zero for never.</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(10);

    public required PostgresSettings Postgres { get; init; }
}
