namespace CanMesh.Store.Retention;

/// <summary>What one retention pass deleted. Ranges are inclusive; null when nothing of that kind was deleted.</summary>
public sealed record RetentionResult(
    long DeletedFrames,
    (long First, long Last)? AcknowledgedRange,
    (long First, long Last)? UnsyncedRange,
    string? Reason)
{
    public static RetentionResult None { get; } = new(0, null, null, null);
}
