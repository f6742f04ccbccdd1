namespace CanMesh.Bench.Stream;

/// <summary>The figures of one measured run of one variant.</summary>
internal sealed record StreamRun
{
    /// <summary>"a" server read+encode, "b" client decode, "c" full path.</summary>
    public required string Variant { get; init; }
    public required int BatchFrames { get; init; }
    public required long Frames { get; init; }
    public required double Seconds { get; init; }

    /// <summary>CAN payload bytes delivered (the data fields).</summary>
    public required long PayloadBytes { get; init; }

    /// <summary>canmesh.v1.FrameBatch message bytes (without the 5-byte gRPC prefix).</summary>
    public required long ProtobufBytes { get; init; }

    /// <summary>Bytes read from the Unix socket by the client (HTTP/2 framing included); 0 where there is no socket.</summary>
    public long WireBytes { get; init; }

    /// <summary>From the start of the call (connection included) to the first decoded batch; NaN where not applicable.</summary>
    public double FirstBatchSeconds { get; init; } = double.NaN;

    /// <summary>CPU the measuring side used: the client process (c) or the measuring thread (a, b).</summary>
    public required double ClientCpuSeconds { get; init; }

    /// <summary>CPU the canmesh-capture process used during the run (c only).</summary>
    public double ServerCpuSeconds { get; init; } = double.NaN;

    /// <summary>Variant a: time in FrameReader.Read; variant b: time in FrameBatch parsing.</summary>
    public double Part1Seconds { get; init; } = double.NaN;

    /// <summary>Variant a: copying into EncodedFrameBatch and encoding; variant b: the subscriber's check loop.</summary>
    public double Part2Seconds { get; init; } = double.NaN;

    public required long AllocatedBytes { get; init; }
    public required int Gen0 { get; init; }
    public required int Gen1 { get; init; }
    public required int Gen2 { get; init; }
    public required long Batches { get; init; }
    public required string LoadAverage { get; init; }

    public double FramesPerSecond => Frames / Seconds;
    public double ProtobufMegabytesPerSecond => ProtobufBytes / Seconds / 1e6;
    public double PayloadMegabytesPerSecond => PayloadBytes / Seconds / 1e6;
    public double WireMegabytesPerSecond => WireBytes / Seconds / 1e6;
    public double CpuSeconds => ClientCpuSeconds + (double.IsNaN(ServerCpuSeconds) ? 0 : ServerCpuSeconds);
    public double FramesPerCpuSecond => Frames / CpuSeconds;
    public double AllocatedPerFrame => (double)AllocatedBytes / Frames;
}
