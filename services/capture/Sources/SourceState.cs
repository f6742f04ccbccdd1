namespace CanMesh.Capture.Sources;

/// <summary>What a source is doing now, for stats, logs and ListInterfaces.</summary>
public enum SourceState
{
    Starting,
    /// <summary>Reading frames.</summary>
    Running,
    /// <summary>The interface is missing or down; the source retries.</summary>
    Waiting,
    /// <summary>The input ended (a replay without looping).</summary>
    Finished,
    /// <summary>The source failed and stopped.</summary>
    Faulted,
    Stopped,
}
