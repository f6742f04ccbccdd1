using CanMesh.Forwarder.Forwarding;
using Npgsql;
using NpgsqlTypes;

namespace CanMesh.Forwarder.Postgres;

/// <summary>
/// Writes a range of a block's frames into frames with one binary COPY: no per-row round trip, no SQL text.
/// Timestamps go in as microseconds (timestamptz's resolution) plus the nanoseconds beyond (ts_ns_extra), so
/// the capture's timestamp_ns comes back exactly.
/// </summary>
internal static class FrameCopy
{
    public static string Command(string schema) =>
        $"COPY {schema}.frames (capture_id, seq, ts, ts_ns_extra, interface_id, can_id, flags, dlc, data) FROM STDIN (FORMAT BINARY)";

    /// <summary>Copies frames [start, start + count) of <paramref name="block"/>; returns the rows the server took.</summary>
    public static async Task<ulong> CopyAsync(NpgsqlConnection connection, string schema, FrameBlock block, Guid captureId,
        IReadOnlyDictionary<string, short> interfaceIds, int start, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(Command(schema), cancellationToken);
        importer.Timeout = timeout;
        // One payload buffer for the whole COPY: each row's bytes are copied into the importer's own buffer
        // before the next row reuses it.
        var payload = new byte[64];
        for (var i = start; i < start + count; i++)
        {
            var frame = block.Frames[i];
            var seq = block.Seqs[i];
            var name = block.Interfaces[i];
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(captureId, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync((long)seq, NpgsqlDbType.Bigint, cancellationToken);
            var (micros, extra) = SplitTimestamp(frame.TimestampNs);
            await importer.WriteAsync(DateTime.UnixEpoch.AddTicks(micros * 10), NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(extra, NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync(interfaceIds[name], NpgsqlDbType.Smallint, cancellationToken);
            await importer.WriteAsync((int)frame.Id, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(FlagsColumn(frame), NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync((short)frame.Length, NpgsqlDbType.Smallint, cancellationToken);
            var length = CopyPayload(frame, payload);
            await importer.WriteAsync(new ReadOnlyMemory<byte>(payload, 0, length), NpgsqlDbType.Bytea, cancellationToken);
        }
        return await importer.CompleteAsync(cancellationToken);
    }

    private static int CopyPayload(in Frames.CanFrame frame, byte[] payload)
    {
        var data = frame.ReadOnlyData;
        data.CopyTo(payload);
        return data.Length;
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
