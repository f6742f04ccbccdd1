namespace CanMesh.Capture.Configuration;

/// <summary>How a candump log is played back.</summary>
public sealed record ReplaySettings
{
    public required string Path { get; init; }

    /// <summary>As fast as possible, or at the pace the log recorded.</summary>
    public ReplayPace Pace { get; init; } = ReplayPace.Fast;

    /// <summary>Start again at the end of the file, until stopped.</summary>
    public bool Loop { get; init; }

    /// <summary>
    /// Stamp frames with the time they are replayed (keeping the recorded spacing) instead of the
    /// recorded time. On by default when looping, so a looped log does not go back in time.
    /// </summary>
    public bool Retime { get; init; }
}

public enum ReplayPace
{
    Fast,
    Recorded,
}
