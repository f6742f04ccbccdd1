using CanMesh.Protos.V1;
using Google.Protobuf;

namespace CanMesh.Client.Tests.Infrastructure;

/// <summary>A frame as the tests compare it: every field, with the interface by name.</summary>
internal readonly record struct FrameRow(ulong Seq, long TimestampNs, string Interface, uint CanId, uint Flags, string DataHex, uint Length, uint Len8Dlc)
{
    public static FrameRow From(Frame frame, IReadOnlyDictionary<uint, string> interfaces) =>
        new(frame.Seq, frame.TimestampNs, interfaces[frame.InterfaceId], frame.CanId, frame.Flags, Convert.ToHexString(frame.Data.Span), frame.Length, frame.Len8Dlc);

    /// <summary>
    /// The frames a SQL WHERE clause selects from the database, read with Microsoft.Data.Sqlite and
    /// decoded per the schema's flags column (bits 0-7 flags, 8-11 len8_dlc, 16-23 remote length).
    /// </summary>
    public static List<FrameRow> FromDatabase(TempFolder folder, string where) =>
        folder.Query($"SELECT f.seq, f.ts_ns, i.name, f.can_id, f.flags, f.data FROM frames f JOIN interfaces i ON i.id = f.iface WHERE {where} ORDER BY f.seq")
            .Select(r =>
            {
                var flags = Convert.ToUInt32(r[4], System.Globalization.CultureInfo.InvariantCulture);
                var remote = (flags & 2) != 0;
                return new FrameRow((ulong)(long)r[0]!, (long)r[1]!, (string)r[2]!, (uint)(long)r[3]!, flags & 0xFF,
                    Convert.ToHexString((byte[])r[5]!), remote ? (flags >> 16) & 0xFF : 0, (flags >> 8) & 0xF);
            })
            .ToList();

    /// <summary>Every frame of a stream of batches, with interface names from the batches' announcements.</summary>
    public static async Task<List<FrameRow>> CollectAsync(IAsyncEnumerable<FrameBatch> batches)
    {
        var names = new Dictionary<uint, string>();
        var rows = new List<FrameRow>();
        await foreach (var batch in batches)
        {
            foreach (var name in batch.Interfaces) names[name.Id] = name.Name;
            rows.AddRange(batch.Frames.Select(f => From(f, names)));
        }
        return rows;
    }
}
