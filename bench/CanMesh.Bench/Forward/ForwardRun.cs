namespace CanMesh.Bench.Forward;

/// <summary>The figures of one measured run: the forwarder's drain and the anchor's server-side COPY of the same rows.</summary>
internal sealed record ForwardRun
{
    public required int Round { get; init; }

    /// <summary>Which forwarder build (A, B, ... in the order given).</summary>
    public required string Forwarder { get; init; }
    public required long Frames { get; init; }

    /// <summary>From the forwarder's process start until synced_seq = N was seen.</summary>
    public required double Seconds { get; init; }

    /// <summary>From the start until the first sample with synced_seq &gt; 0: process start, connection, schema, first block.</summary>
    public required double FirstCommitSeconds { get; init; }

    /// <summary>synced_seq at that first sample: the frames the steady rate leaves out.</summary>
    public required long FirstCommitSeq { get; init; }

    public required double ForwarderCpuSeconds { get; init; }
    public required double CaptureCpuSeconds { get; init; }
    public required double PostgresCpuSeconds { get; init; }
    public required long ForwarderPeakBytes { get; init; }
    public required string LoadAverage { get; init; }

    /// <summary>Server-side COPY ... TO file of canmesh.frames (preparing the anchor, not compared); NaN where no anchor ran.</summary>
    public double ExportSeconds { get; init; } = double.NaN;

    /// <summary>Server-side COPY ... FROM that file into an empty copy of the table; once per round, after the first forwarder.</summary>
    public double AnchorSeconds { get; init; } = double.NaN;
    public double AnchorPostgresCpuSeconds { get; init; } = double.NaN;
    public long AnchorFileBytes { get; init; }

    public bool HasAnchor => !double.IsNaN(AnchorSeconds);

    public double FramesPerSecond => Frames / Seconds;

    /// <summary>From the first commit seen to the last: without start-up, connection and schema creation.</summary>
    public double SteadyFramesPerSecond => Seconds > FirstCommitSeconds ? (Frames - FirstCommitSeq) / (Seconds - FirstCommitSeconds) : double.NaN;

    public double AnchorRowsPerSecond => Frames / AnchorSeconds;
}
