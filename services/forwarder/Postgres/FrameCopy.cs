using System.Buffers;
using System.Buffers.Binary;
using CanMesh.Forwarder.Forwarding;
using Npgsql;

namespace CanMesh.Forwarder.Postgres;

/// <summary>
/// Writes a range of a block's frames into frames with one binary COPY: no per-row round trip, no SQL text.
/// Timestamps go in as microseconds (timestamptz's resolution) plus the nanoseconds beyond (ts_ns_extra), so
/// the capture's timestamp_ns comes back exactly.
/// </summary>
/// <remarks>
/// The rows are encoded here, in PostgreSQL's binary COPY format, into 64 KB chunks that go out through
/// Npgsql's raw COPY stream, rather than column by column through NpgsqlBinaryImporter: the importer resolves
/// and binds a parameter for every value (ten calls per row, each with its own async state machine), which
/// cost the forwarder about as much CPU per row as PostgreSQL's own parsing of the row. The layout of each
/// column is what Npgsql writes for the same types (uuid in RFC 4122 byte order, integers big-endian,
/// timestamptz as microseconds since 2000-01-01 UTC), and the server checks every field as it does for any
/// binary COPY, so a bad row is refused by the server exactly as before.
/// </remarks>
internal static class FrameCopy
{
    public static string Command(string schema) =>
        $"COPY {schema}.frames (capture_id, seq, ts, ts_ns_extra, interface_id, can_id, flags, dlc, data) FROM STDIN (FORMAT BINARY)";

    private const short ColumnCount = 9;

    /// <summary>PGCOPY\n\xff\r\n\0, then flags 0 (no OIDs) and a header extension of length 0.</summary>
    private static ReadOnlySpan<byte> FileHeader => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The field count, then capture_id's length and 16 bytes: the same for every row of a COPY.</summary>
    private const int RowPrefixBytes = 2 + 4 + 16;

    /// <summary>A row with the longest payload: the prefix, eight more length words, the fixed-size values and 64 data bytes.</summary>
    private const int MaxRowBytes = RowPrefixBytes + 8 * 4 + 8 + 8 + 2 + 2 + 4 + 4 + 2 + Frames.CanFrame.MaxFdLength;

    /// <summary>Large enough that the socket sees few writes (each chunk bypasses Npgsql's 8 KB buffer), small enough for the pool.</summary>
    private const int ChunkBytes = 64 * 1024;

    /// <summary>2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in microseconds since the Unix epoch.</summary>
    private const long PostgresEpochMicros = 946_684_800_000_000;

    /// <summary>Copies frames [start, start + count) of <paramref name="block"/>; returns the rows written (a COPY goes in whole or not at all).</summary>
    public static async Task<ulong> CopyAsync(NpgsqlConnection connection, string schema, FrameBlock block, Guid captureId,
        IReadOnlyDictionary<string, short> interfaceIds, int start, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var prefix = new byte[RowPrefixBytes];
        BinaryPrimitives.WriteInt16BigEndian(prefix, ColumnCount);
        BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(2), 16);
        captureId.TryWriteBytes(prefix.AsSpan(6), bigEndian: true, out _);

        var stream = await connection.BeginRawBinaryCopyAsync(Command(schema), cancellationToken);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var finishing = false;
        try
        {
            var milliseconds = timeout > TimeSpan.Zero ? (int)Math.Min(timeout.TotalMilliseconds, int.MaxValue) : 0;
            stream.WriteTimeout = milliseconds;
            stream.ReadTimeout = milliseconds;
            FileHeader.CopyTo(chunk);
            var used = FileHeader.Length;
            var next = start;
            var end = start + count;
            var names = new NameCache(interfaceIds);
            while (true)
            {
                used = EncodeRows(block, prefix, ref names, ref next, end, chunk, used);
                if (next == end)
                {
                    // The trailer: a field count of -1. EncodeRows leaves at least a row's room, so it fits.
                    BinaryPrimitives.WriteInt16BigEndian(chunk.AsSpan(used), -1);
                    used += 2;
                    await stream.WriteAsync(chunk.AsMemory(0, used), cancellationToken);
                    break;
                }
                await stream.WriteAsync(chunk.AsMemory(0, used), cancellationToken);
                used = 0;
            }
            // Disposing the write side ends the COPY (CopyDone) and reads the server's answer: a refused row throws here.
            finishing = true;
            await stream.DisposeAsync();
            return (ulong)count;
        }
        catch when (!finishing)
        {
            // Anything thrown while writing leaves a COPY open: end it with CopyFail, so the connection can roll back.
            try
            {
                await stream.CancelAsync();
            }
            catch (Exception e) when (e is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection is broken (Npgsql marks it so); the caller's error is the one that matters.
            }
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Encodes rows from <paramref name="next"/> until <paramref name="end"/> or until the chunk may not hold another row; returns the bytes used.</summary>
    private static int EncodeRows(FrameBlock block, byte[] prefix, ref NameCache names, ref int next, int end, byte[] chunk, int used)
    {
        var frames = block.Frames;
        var seqs = block.Seqs;
        var interfaces = block.Interfaces;
        var buffer = chunk.AsSpan(0, ChunkBytes);
        while (next < end && buffer.Length - used >= MaxRowBytes + 2)
        {
            ref readonly var frame = ref frames[next];
            var row = buffer[used..];
            prefix.CopyTo(row);
            var at = RowPrefixBytes;
            at = WriteInt64(row, at, (long)seqs[next]);
            var (micros, extra) = SplitTimestamp(frame.TimestampNs);
            at = WriteInt64(row, at, micros - PostgresEpochMicros);
            at = WriteInt16(row, at, extra);
            at = WriteInt16(row, at, names.Id(interfaces[next]));
            at = WriteInt32(row, at, (int)frame.Id);
            at = WriteInt32(row, at, FlagsColumn(frame));
            at = WriteInt16(row, at, frame.Length);
            var data = frame.ReadOnlyData;
            BinaryPrimitives.WriteInt32BigEndian(row[at..], data.Length);
            data.CopyTo(row[(at + 4)..]);
            used += at + 4 + data.Length;
            next++;
        }
        return used;
    }

    private static int WriteInt64(Span<byte> row, int at, long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(row[at..], 8);
        BinaryPrimitives.WriteInt64BigEndian(row[(at + 4)..], value);
        return at + 12;
    }

    private static int WriteInt32(Span<byte> row, int at, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(row[at..], 4);
        BinaryPrimitives.WriteInt32BigEndian(row[(at + 4)..], value);
        return at + 8;
    }

    private static int WriteInt16(Span<byte> row, int at, short value)
    {
        BinaryPrimitives.WriteInt32BigEndian(row[at..], 2);
        BinaryPrimitives.WriteInt16BigEndian(row[(at + 4)..], value);
        return at + 6;
    }

    /// <summary>A block's names are a few interned strings in runs (FrameBlock.Append shares one per run), so the last one answers most lookups.</summary>
    private struct NameCache(IReadOnlyDictionary<string, short> ids)
    {
        private string? _name;
        private short _id;

        public short Id(string name)
        {
            if (!ReferenceEquals(name, _name))
            {
                _id = ids[name];
                _name = name;
            }
            return _id;
        }
    }

    /// <summary>Microseconds since the epoch (rounded down, also before 1970) and the nanoseconds beyond them (0-999).</summary>
    public static (long Micros, short ExtraNs) SplitTimestamp(long timestampNs)
    {
        var micros = Math.DivRem(timestampNs, 1000L, out var rest);
        if (rest < 0)
        {
            micros--;
            rest += 1000;
        }
        return (micros, (short)rest);
    }

    /// <summary>
    /// The flags column: <see cref="Frames.CanFrameFlags"/> in bits 0-7, len8_dlc in 8-11, the candump FD flags digit's
    /// other bits in 12-15; the same layout as the capture store's flags column without the remote length (dlc holds it).
    /// </summary>
    public static int FlagsColumn(in Frames.CanFrame frame) =>
        (byte)frame.Flags | ((frame.Len8Dlc & 0xF) << 8) | (((byte)frame.FdFlagsExtra & 0xF) << 12);
}
