namespace CanMesh.Capture.Pipeline;

/// <summary>
/// What one capture run read and what became of it, for the line the service ends with: it claims that
/// every frame read is committed only when the counts prove it, and otherwise says how many were lost
/// where (ARCHITECTURE.md invariant 4: nothing is lost silently, not even in the last log line).
/// </summary>
/// <param name="FramesRead">Frames the sources read and handed over (<see cref="Sources.SourceCounters.Frames"/>, all sources).</param>
/// <param name="FramesCommitted">Frames this run committed (the committed seq's advance since the run began).</param>
/// <param name="QueueDrops">Frames a full (or already completed) queue dropped.</param>
/// <param name="StoreDrops">Frames the store refused even after eviction (a full disk with nothing left to evict).</param>
/// <param name="KernelDrops">Frames the kernel dropped before a source could read them (not part of <paramref name="FramesRead"/>).</param>
public sealed record CaptureOutcome(long FramesRead, long FramesCommitted, long QueueDrops, long StoreDrops, long KernelDrops)
{
    /// <summary>Frames read that were neither committed nor counted as dropped: zero, unless something lost them without a count.</summary>
    public long Unaccounted => FramesRead - FramesCommitted - QueueDrops - StoreDrops;

    public bool IsComplete => QueueDrops == 0 && StoreDrops == 0 && KernelDrops == 0 && Unaccounted == 0;

    /// <summary>"every frame read is committed (N frames)", or which losses there were and how many.</summary>
    public string Describe()
    {
        if (IsComplete) return $"every frame read is committed ({FramesRead} frames)";
        var losses = new List<string>(4);
        if (QueueDrops != 0) losses.Add($"{QueueDrops} dropped by a full queue");
        if (StoreDrops != 0) losses.Add($"{StoreDrops} refused by the store");
        if (Unaccounted != 0) losses.Add($"{Unaccounted} read but neither committed nor counted as dropped");
        if (KernelDrops != 0) losses.Add($"{KernelDrops} dropped by the kernel before they could be read");
        return $"frames were lost: {string.Join(", ", losses)}; {FramesCommitted} of {FramesRead} frames read are committed";
    }
}
