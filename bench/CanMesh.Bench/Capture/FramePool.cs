using System.Buffers.Binary;
using CanMesh.Frames;

namespace CanMesh.Bench.Capture;

/// <summary>
/// A fixed set of realistic frames, generated once from a seed, that every benchmarked path writes:
/// the CanMesh pipeline copies them into batches, and the anchors read the same rows from
/// <see cref="WriteRowsFile"/>. Frame <c>i</c> of a run is pool frame <c>i % Count</c>, its timestamp
/// moved on by one pool span per lap, so rows differ only in seq and time.
/// </summary>
/// <remarks>
/// The mix follows a passenger-car bus: a few dozen periodic identifiers per interface, most payloads
/// 8 bytes, some shorter, a share of 29-bit identifiers, a few remote frames, optional CAN FD.
/// </remarks>
internal sealed class FramePool
{
    /// <summary>Interfaces the frames arrive on; a fresh database numbers them 1, 2 in this order.</summary>
    public static readonly string[] InterfaceNames = ["can0", "can1"];

    /// <summary>Timestamps start here (2025-01-01T00:00:00Z), so they have a real epoch's width.</summary>
    public const long FirstTimestampNs = 1_735_689_600_000_000_000;

    /// <summary>Mean spacing: a 2-channel HAT at 1 Mbit/s worst case (about 40k frames/s).</summary>
    public const long MeanSpacingNs = 25_000;

    private const int RowBytes = 88;
    private static readonly byte[] FdLengths = [12, 16, 20, 24, 32, 48, 64];
    private readonly CanFrame[] _frames;

    private FramePool(CanFrame[] frames, long payloadBytes)
    {
        _frames = frames;
        PayloadBytes = payloadBytes;
    }

    /// <summary>The frames; <see cref="CanFrame.InterfaceId"/> holds the index into <see cref="InterfaceNames"/>.</summary>
    public ReadOnlySpan<CanFrame> Frames => _frames;

    public int Count => _frames.Length;

    /// <summary>Payload bytes of one lap of the pool (remote frames carry none).</summary>
    public long PayloadBytes { get; }

    /// <summary>How far timestamps move on per lap.</summary>
    public long SpanNs => _frames.Length * MeanSpacingNs;

    public static FramePool Generate(int count, double extendedShare, double fdShare, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = new Random(seed);
        // Each interface has its own set of periodic identifiers; a frame picks one of them.
        var ids = new (uint Id, bool Extended)[InterfaceNames.Length][];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = new (uint, bool)[60];
            for (var k = 0; k < ids[i].Length; k++)
            {
                var extended = random.NextDouble() < extendedShare;
                ids[i][k] = extended
                    ? ((uint)random.Next(0, (int)CanFrame.MaxExtendedId + 1), true)
                    : ((uint)random.Next(0, (int)CanFrame.MaxStandardId + 1), false);
            }
        }

        var frames = new CanFrame[count];
        long payload = 0;
        long offset = 0;
        for (var n = 0; n < count; n++)
        {
            ref var frame = ref frames[n];
            var slot = random.Next(ids.Length);
            var (id, extended) = ids[slot][random.Next(ids[slot].Length)];
            // Jitter around the mean spacing, never going backwards.
            offset += random.Next((int)(MeanSpacingNs / 2), (int)(MeanSpacingNs * 3 / 2));
            frame.TimestampNs = offset;
            frame.InterfaceId = (ushort)slot;
            frame.Id = id;
            if (extended) frame.Flags |= CanFrameFlags.Extended;
            var kind = random.NextDouble();
            if (fdShare > 0 && kind < fdShare)
            {
                frame.Flags |= CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch;
                frame.Length = FdLengths[random.Next(FdLengths.Length)];
            }
            else if (kind > 0.995)
            {
                frame.Flags |= CanFrameFlags.Remote;
                frame.Length = (byte)random.Next(0, 9);
            }
            else
            {
                frame.Length = random.NextDouble() < 0.7 ? (byte)8 : (byte)random.Next(0, 8);
            }
            random.NextBytes(frame.Data);
            payload += frame.IsRemote ? 0 : frame.Length;
        }
        return new FramePool(frames, payload);
    }

    /// <summary>
    /// Writes the pool for the anchors: a 32-byte header ("CMBROWS1", uint32 count, 4 spare bytes,
    /// int64 first timestamp, int64 span) then one 88-byte little-endian row per frame: int64 timestamp
    /// offset, uint32 can_id, uint16 interface number as the database has it (1-based), uint8 flags,
    /// uint8 length, uint8 len8_dlc, 7 spare bytes, 64 payload bytes.
    /// </summary>
    public void WriteRowsFile(string path)
    {
        var buffer = new byte[32 + _frames.Length * RowBytes];
        "CMBROWS1"u8.CopyTo(buffer);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), (uint)_frames.Length);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(16), FirstTimestampNs);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(24), SpanNs);
        for (var n = 0; n < _frames.Length; n++)
        {
            ref readonly var frame = ref _frames[n];
            var row = buffer.AsSpan(32 + n * RowBytes, RowBytes);
            BinaryPrimitives.WriteInt64LittleEndian(row, frame.TimestampNs);
            BinaryPrimitives.WriteUInt32LittleEndian(row[8..], frame.Id);
            BinaryPrimitives.WriteUInt16LittleEndian(row[12..], (ushort)(frame.InterfaceId + 1));
            row[14] = (byte)frame.Flags;
            row[15] = frame.Length;
            row[16] = frame.Len8Dlc;
            ((ReadOnlySpan<byte>)frame.Payload).CopyTo(row[24..]);
        }
        File.WriteAllBytes(path, buffer);
    }
}
