using System.Runtime.CompilerServices;

namespace CanMesh.Frames;

/// <summary>
/// The 64 data bytes a CAN FD frame can carry, stored inline in <see cref="CanFrame"/> so that a batch
/// of frames is one contiguous array with no allocation per frame.
/// </summary>
[InlineArray(CanFrame.MaxFdLength)]
public struct CanPayload
{
    private byte _first;
}
