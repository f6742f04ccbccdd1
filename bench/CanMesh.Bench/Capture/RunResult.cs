namespace CanMesh.Bench.Capture;

/// <summary>The figures of one measured run.</summary>
internal sealed record RunResult
{
    public required long Frames { get; init; }
    public required double Seconds { get; init; }
    public required long PayloadBytes { get; init; }
    public required long Commits { get; init; }
    public required long DatabaseBytes { get; init; }

    /// <summary>Peak resident set during the run (VmHWM, reset before the run when the kernel allows).</summary>
    public required long PeakRssBytes { get; init; }
    public required bool PeakRssIsPerRun { get; init; }
    public required long PeakGcHeapBytes { get; init; }

    /// <summary>Managed bytes allocated from start to last commit, pool warm-up included.</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>Managed bytes allocated per frame over the second half of the run, when batches are all pooled.</summary>
    public required double SteadyAllocatedPerFrame { get; init; }
    public required int Gen0 { get; init; }
    public required int Gen1 { get; init; }
    public required int Gen2 { get; init; }
    public required long SourceWaits { get; init; }

    /// <summary>CPU the whole process used during the run (every thread: source, writer, GC, sampler).</summary>
    public required double CpuSeconds { get; init; }

    /// <summary>CPU the source thread used (copying frames into batches, submitting them); 0 in writer-only runs.</summary>
    public required double SourceCpuSeconds { get; init; }

    public double FramesPerSecond => Frames / Seconds;
    public double PayloadMegabytesPerSecond => PayloadBytes / Seconds / 1e6;
    public double FramesPerCpuSecond => Frames / CpuSeconds;
    public double AllocatedPerFrame => (double)AllocatedBytes / Frames;
}
