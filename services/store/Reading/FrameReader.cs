using CanMesh.Frames;
using CanMesh.Store.Events;
using CanMesh.Store.Sqlite;
using CanMesh.Store.Writing;

namespace CanMesh.Store.Reading;

/// <summary>
/// Reads committed frames back, by seq or by time, on its own read-only connection. Each call is a
/// consistent snapshot of the last commit. Owned by one thread at a time.
/// </summary>
public sealed class FrameReader : IDisposable
{
    private readonly SqliteDatabase _db;
    private readonly RawStatement _bySeq;
    private readonly RawStatement _commitsInTime;

    internal FrameReader(SqliteDatabase db, InterfaceCatalog interfaces)
    {
        _db = db;
        Interfaces = interfaces;
        // Subscribers catching up read the journal sequentially: map it instead of copying each page in
        // with a read call (SQLite falls back to reads where mapping is unavailable).
        db.Execute("PRAGMA mmap_size=1073741824");
        _bySeq = db.Prepare("SELECT seq, ts_ns, iface, can_id, flags, data FROM frames WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3");
        _commitsInTime = db.Prepare("SELECT first_seq, last_seq FROM commits WHERE max_ts_ns >= ?1 AND min_ts_ns <= ?2 ORDER BY first_seq");
    }

    public InterfaceCatalog Interfaces { get; }

    /// <summary>
    /// Reads frames with seq in [<paramref name="fromSeq"/>, <paramref name="toSeq"/>] in seq order into
    /// <paramref name="frames"/> and <paramref name="seqs"/> (same length), at most as many as they hold.
    /// Returns how many were read; fewer than the space means the range is exhausted.
    /// </summary>
    public int Read(long fromSeq, long toSeq, Span<CanFrame> frames, Span<long> seqs)
    {
        if (seqs.Length < frames.Length) throw new ArgumentException("seqs must be as long as frames.", nameof(seqs));
        if (frames.IsEmpty || fromSeq > toSeq) return 0;
        _bySeq.Bind(1, fromSeq);
        _bySeq.Bind(2, toSeq);
        _bySeq.Bind(3, frames.Length);
        var count = 0;
        while (count < frames.Length && _bySeq.Step())
        {
            seqs[count] = _bySeq.GetInt64(0);
            ReadRow(_bySeq, ref frames[count]);
            count++;
        }
        _bySeq.Reset();
        return count;
    }

    /// <summary>All frames in a seq range, for tests and exports of modest size.</summary>
    public List<StoredFrame> ReadAll(long fromSeq = 1, long toSeq = long.MaxValue)
    {
        var result = new List<StoredFrame>();
        var frames = new CanFrame[4096];
        var seqs = new long[4096];
        var next = fromSeq;
        while (true)
        {
            var n = Read(next, toSeq, frames, seqs);
            for (var i = 0; i < n; i++) result.Add(new StoredFrame(seqs[i], frames[i]));
            if (n < frames.Length) return result;
            next = seqs[n - 1] + 1;
        }
    }

    /// <summary>
    /// The seq ranges that can hold frames stamped in [<paramref name="fromNs"/>, <paramref name="toNs"/>],
    /// from the commits time index. Frames in them still need their own timestamp checked.
    /// </summary>
    public IReadOnlyList<(long First, long Last)> SeqRangesForTime(long fromNs, long toNs)
    {
        var ranges = new List<(long, long)>();
        _commitsInTime.Bind(1, fromNs);
        _commitsInTime.Bind(2, toNs);
        while (_commitsInTime.Step())
        {
            var first = _commitsInTime.GetInt64(0);
            var last = _commitsInTime.GetInt64(1);
            // Adjacent commits merge into one range so the reader walks them in one pass.
            if (ranges.Count > 0 && ranges[^1].Item2 + 1 == first) ranges[^1] = (ranges[^1].Item1, last);
            else ranges.Add((first, last));
        }
        return ranges;
    }

    /// <summary>Events in time order, newest last.</summary>
    public List<(CaptureEvent Event, long Id)> ReadEvents(long afterId = 0, int limit = 10_000)
    {
        using var select = _db.Prepare("SELECT id, ts_ns, kind, source, count, first_seq, last_seq, message FROM events WHERE id > ?1 ORDER BY id LIMIT ?2");
        select.Bind(1, afterId);
        select.Bind(2, limit);
        var list = new List<(CaptureEvent, long)>();
        while (select.Step())
        {
            var kind = Enum.TryParse<CaptureEventKind>(select.GetString(2), out var k) ? k : CaptureEventKind.SourceFault;
            list.Add((new CaptureEvent(select.GetInt64(1), kind, select.GetString(3), select.GetInt64(4), select.GetString(7) ?? "",
                select.IsNull(5) ? null : select.GetInt64(5), select.IsNull(6) ? null : select.GetInt64(6)), select.GetInt64(0)));
        }
        return list;
    }

    /// <summary>Sum of the count column of events of one kind (and source, if given).</summary>
    public long SumEvents(CaptureEventKind kind, string? source = null)
    {
        using var select = _db.Prepare("SELECT COALESCE(SUM(count), 0) FROM events WHERE kind = ?1 AND (?2 IS NULL OR source = ?2)");
        select.Bind(1, kind.ToString());
        select.Bind(2, source);
        var sum = select.Step() ? select.GetInt64(0) : 0;
        select.Reset();
        return sum;
    }

    private static void ReadRow(RawStatement row, ref CanFrame frame)
    {
        frame = default;
        frame.TimestampNs = row.GetInt64(1);
        frame.InterfaceId = (ushort)row.GetInt64(2);
        frame.Id = (uint)row.GetInt64(3);
        var data = row.GetBlob(5);
        var length = Math.Min(data.Length, CanFrame.MaxFdLength);
        data[..length].CopyTo(frame.Payload);
        FrameFlagsColumn.Unpack(row.GetInt64(4), ref frame, length);
    }

    public void Dispose()
    {
        _bySeq.Dispose();
        _commitsInTime.Dispose();
        _db.Dispose();
    }
}
