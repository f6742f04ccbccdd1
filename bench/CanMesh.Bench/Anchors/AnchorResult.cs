namespace CanMesh.Bench.Anchors;

/// <summary>One run of an anchor, as the anchor program reported it.</summary>
internal sealed record AnchorResult(long Frames, double Seconds, double CpuSeconds, long Commits, long PayloadBytes, string SqliteVersion)
{
    public double FramesPerSecond => Frames / Seconds;

    /// <summary>Frames per second of CPU the anchor used: what it would do with a core to itself.</summary>
    public double FramesPerCpuSecond => Frames / CpuSeconds;
}
