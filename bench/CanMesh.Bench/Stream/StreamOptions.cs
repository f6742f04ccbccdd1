namespace CanMesh.Bench.Stream;

/// <summary>What the stream benchmark runs: how many frames, which batch sizes, how often, which variants.</summary>
internal sealed record StreamOptions
{
    public long Frames { get; init; } = 3_000_000;
    public int Runs { get; init; } = 3;

    /// <summary>Unmeasured full-path runs first (JIT tiering on both sides); each streams all the frames.</summary>
    public int WarmupRuns { get; init; } = 1;

    /// <summary>SubscribeStart.max_batch_frames values to measure, each a separate series.</summary>
    public IReadOnlyList<int> BatchFrames { get; init; } = [4096];

    public int PoolFrames { get; init; } = 65_536;
    public double ExtendedShare { get; init; } = 0.25;
    public double FdShare { get; init; }

    /// <summary>Folder for the database, the server's configuration, socket and log.</summary>
    public required string Directory { get; init; }

    /// <summary>The canmesh-capture executable (default: the one built next to canmesh-bench).</summary>
    public string? ServerExecutable { get; init; }

    /// <summary>Run the variants that isolate server read+encode and client decode (a, b) next to the full path (c).</summary>
    public bool Variants { get; init; } = true;

    /// <summary>Client SocketsHttpHandler.InitialHttp2StreamWindowSize (null: the handler's default).</summary>
    public int? ClientStreamWindow { get; init; }

    /// <summary>How often the subscriber acks its watermark, as the forwarder does (0: never).</summary>
    public TimeSpan AckInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public bool Keep { get; init; }

    public string Describe() =>
        $"{Frames:N0} frames x {Runs} runs (warm-up {WarmupRuns} full run{(WarmupRuns == 1 ? "" : "s")}), max_batch_frames {string.Join(", ", BatchFrames)}, " +
        $"pool {PoolFrames:N0} frames ({ExtendedShare:P0} extended, {FdShare:P0} FD), acks every {AckInterval.TotalMilliseconds:F0} ms, " +
        $"client stream window {(ClientStreamWindow is { } w ? $"{w:N0} B" : "default")}, {(Variants ? "variants a, b, c" : "full path only")}, in {Directory}";
}
