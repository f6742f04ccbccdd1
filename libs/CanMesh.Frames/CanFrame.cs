using System.Runtime.InteropServices;

namespace CanMesh.Frames;

/// <summary>
/// One CAN or CAN FD frame as captured: a value type with its payload inline, so batches are plain
/// arrays of these and the capture path allocates nothing per frame.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CanFrame
{
    public const int MaxClassicLength = 8;
    public const int MaxFdLength = 64;
    public const uint MaxStandardId = 0x7FF;
    public const uint MaxExtendedId = 0x1FFF_FFFF;

    /// <summary>Receive time in nanoseconds since the Unix epoch (UTC), from the kernel where the source has it.</summary>
    public long TimestampNs;

    /// <summary>
    /// The identifier without any flag bits: 11 bits, or 29 when <see cref="CanFrameFlags.Extended"/> is set.
    /// For error frames, the error class bits.
    /// </summary>
    public uint Id;

    /// <summary>Which interface the frame arrived on, as numbered by the store's interface table.</summary>
    public ushort InterfaceId;

    public CanFrameFlags Flags;

    /// <summary>
    /// Payload length in bytes (0..8 classic, 0..64 FD). For remote frames, the requested length; they carry no data.
    /// </summary>
    public byte Length;

    /// <summary>
    /// For a classic 8-byte frame whose DLC on the wire was 9..15 (SocketCAN's len8_dlc), that DLC; otherwise 0.
    /// </summary>
    public byte Len8Dlc;

    /// <summary>
    /// For a CAN FD frame, the bits of its flags digit that <see cref="Flags"/> cannot hold (see
    /// <see cref="CanFdFlagsExtra"/>); <see cref="CanFdFlagsExtra.None"/> for every other frame. A separate field
    /// rather than more <see cref="CanFrameFlags"/> bits: the gRPC encoder sends the flags byte as a single
    /// varint byte (values below 0x80), which has room for one more bit, not two.
    /// </summary>
    public CanFdFlagsExtra FdFlagsExtra;

    public CanPayload Payload;

    public readonly bool IsExtended => (Flags & CanFrameFlags.Extended) != 0;
    public readonly bool IsRemote => (Flags & CanFrameFlags.Remote) != 0;
    public readonly bool IsError => (Flags & CanFrameFlags.Error) != 0;
    public readonly bool IsFd => (Flags & CanFrameFlags.Fd) != 0;

    /// <summary>The bytes carried on the bus: empty for remote frames.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public Span<byte> Data => IsRemote ? Span<byte>.Empty : ((Span<byte>)Payload)[..Length];

    /// <summary>Read-only view of <see cref="Data"/>.</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public readonly ReadOnlySpan<byte> ReadOnlyData => IsRemote ? ReadOnlySpan<byte>.Empty : ((ReadOnlySpan<byte>)Payload)[..Length];

    /// <summary>Timestamp as a <see cref="DateTimeOffset"/> (100 ns resolution).</summary>
    public readonly DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampNs / 100);

    /// <summary>
    /// Whether <paramref name="length"/> is a length a CAN FD frame can have (0-8, 12, 16, 20, 24, 32, 48, 64).
    /// </summary>
    public static bool IsValidFdLength(int length) => length switch
    {
        >= 0 and <= 8 => true,
        12 or 16 or 20 or 24 or 32 or 48 or 64 => true,
        _ => false,
    };

    /// <summary>Frame contents equal, timestamp and interface included.</summary>
    public readonly bool ContentEquals(in CanFrame other) =>
        TimestampNs == other.TimestampNs && Id == other.Id && InterfaceId == other.InterfaceId &&
        Flags == other.Flags && Length == other.Length && Len8Dlc == other.Len8Dlc && FdFlagsExtra == other.FdFlagsExtra &&
        ReadOnlyData.SequenceEqual(other.ReadOnlyData);

    public override readonly string ToString() =>
        $"{Id:X}{(IsExtended ? "x" : "")} [{Length}] {Convert.ToHexString(ReadOnlyData)} flags={Flags}{(FdFlagsExtra != 0 ? $"+{FdFlagsExtra}" : "")} t={TimestampNs}";
}
