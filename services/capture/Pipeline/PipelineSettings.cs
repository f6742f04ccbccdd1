namespace CanMesh.Capture.Pipeline;

/// <summary>How frames travel from the sources to the store (the Capture:Queue and Capture:Commit settings).</summary>
public sealed record PipelineSettings
{
    /// <summary>
    /// Most frames waiting for the writer. Beyond it a live bus's frames are dropped and counted, never waited
    /// for; a replay or simulator waits for room (see <see cref="Sources.FullQueuePolicy"/>).
    /// </summary>
    public int QueueCapacityFrames { get; init; } = 262_144;

    /// <summary>Frames per batch a source fills before handing it over.</summary>
    public int BatchFrames { get; init; } = 256;

    /// <summary>A transaction commits once it holds this many frames...</summary>
    public int CommitMaxFrames { get; init; } = 16_384;

    /// <summary>...or once its first frame has waited this long, whichever comes first.</summary>
    public TimeSpan CommitMaxDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}
