using System.Buffers.Binary;

namespace CanMesh.Bench.Stream;

/// <summary>
/// An order-dependent 64-bit checksum over (timestamp, can_id, payload) of a run of frames, cheap enough
/// to run inside the measured subscriber loop (8 payload bytes per multiply). The same function runs over
/// the database's rows (raw SQLite, no CanMesh code) and over the decoded protobuf frames.
/// </summary>
internal struct FrameChecksum
{
    private const ulong K = 0x9E37_79B9_7F4A_7C15;

    public ulong Value;
    public long Frames;
    public long PayloadBytes;

    public void Add(long timestampNs, uint canId, ReadOnlySpan<byte> data)
    {
        var x = ((ulong)timestampNs ^ ((ulong)canId << 40) ^ (ulong)data.Length) * K;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8) x = (x ^ BinaryPrimitives.ReadUInt64LittleEndian(data[i..])) * K;
        if (i < data.Length)
        {
            ulong tail = 0;
            for (var j = data.Length - 1; j >= i; j--) tail = (tail << 8) | data[j];
            x = (x ^ tail) * K;
        }
        Value = (Value ^ x) * K + 1;
        Frames++;
        PayloadBytes += data.Length;
    }
}
