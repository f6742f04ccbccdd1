using CanMesh.Frames;

namespace CanMesh.Store.Reading;

/// <summary>A frame read back from the journal, with its seq.</summary>
public readonly record struct StoredFrame(long Seq, CanFrame Frame);
