namespace CanMesh.Bench.Soak;

/// <summary>What the soak benchmark runs: how long, how fast, whether PostgreSQL goes away for the middle third.</summary>
internal sealed record SoakOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Frames per second over all interfaces together; each sim interface gets an equal share.</summary>
    public double Rate { get; init; } = 40_000;

    public int Interfaces { get; init; } = 2;

    /// <summary>Stop PostgreSQL for the middle third of the run and start it again.</summary>
    public bool Outage { get; init; } = true;

    /// <summary>How often CPU, RSS and the seqs are sampled (one CSV row each).</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often PostgreSQL is asked for its newest frame: the resolution of the latency figures.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The start (JIT, schema creation, first connections) is sampled but left out of the phase figures.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After PostgreSQL returns, the backlog counts as drained once the newest frame it holds is at most this old.</summary>
    public TimeSpan CaughtUpLatency { get; init; } = TimeSpan.FromSeconds(2);

    public required string CsvPath { get; init; }

    public string Image { get; init; } = "local/postgres:15";

    /// <summary>Forwarder settings (Section:Key=value) on top of the benchmark's; none by default, so the forwarder's defaults apply.</summary>
    public IReadOnlyList<string> ForwarderSettings { get; init; } = [];

    /// <summary>Folder for the capture database, its configuration, socket and log, and the forwarder's log.</summary>
    public required string Directory { get; init; }

    public string? CaptureExecutable { get; init; }
    public string? ForwarderAssembly { get; init; }

    /// <summary>Keep the capture database, the logs and the PostgreSQL container.</summary>
    public bool Keep { get; init; }

    public TimeSpan OutageStart => Duration / 3;
    public TimeSpan OutageEnd => Duration * 2 / 3;

    public string Describe() =>
        $"{Duration.TotalMinutes:F1} min, {Rate:N0} frames/s over {Interfaces} sim interfaces ({Rate / Interfaces:N0} each), " +
        (Outage ? $"PostgreSQL stopped from {OutageStart.TotalMinutes:F1} to {OutageEnd.TotalMinutes:F1} min" : "no outage") +
        $", samples every {SampleInterval.TotalSeconds:F0} s, latency probe every {ProbeInterval.TotalMilliseconds:F0} ms, warm-up {Warmup.TotalSeconds:F0} s left out, " +
        $"PostgreSQL {Image} (image defaults), forwarder {(ForwarderSettings.Count > 0 ? string.Join(", ", ForwarderSettings) : "defaults")}, in {Directory}";
}
