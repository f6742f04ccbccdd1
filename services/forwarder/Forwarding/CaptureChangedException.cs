namespace CanMesh.Forwarder.Forwarding;

/// <summary>The capture service now serves another capture database: the session restarts from where PostgreSQL holds that one.</summary>
internal sealed class CaptureChangedException(string oldCaptureId, string newCaptureId)
    : Exception($"The capture database changed from {oldCaptureId} to {newCaptureId}.")
{
    public string OldCaptureId { get; } = oldCaptureId;

    public string NewCaptureId { get; } = newCaptureId;
}
