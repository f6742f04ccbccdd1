using System.Diagnostics;
using CanMesh.Bench.Capture;
using CanMesh.Frames;
using CanMesh.Store;
using SQLitePCL;

namespace CanMesh.Bench.Stream;

/// <summary>
/// The database the subscriber reads: N frames of the capture benchmark's <see cref="FramePool"/> (the same
/// realistic mix, timestamps moving on per lap), appended with the store's own <see cref="CanMesh.Store.Writing.JournalWriter"/>
/// in large transactions (synchronous NORMAL: preparing it is not what is measured). Afterwards the expected
/// count, seq range and checksum are read back from the file on a raw SQLite connection, independently of
/// CanMesh's reader.
/// </summary>
internal sealed class StreamDatabase
{
    private StreamDatabase(string path, long frames, FrameChecksum expected, long bytes, double prepareSeconds)
    {
        Path = path;
        Frames = frames;
        Expected = expected;
        FileBytes = bytes;
        PrepareSeconds = prepareSeconds;
    }

    public string Path { get; }
    public long Frames { get; }
    public FrameChecksum Expected { get; }
    public long FileBytes { get; }
    public double PrepareSeconds { get; }

    public static StreamDatabase Prepare(string path, FramePool pool, long frames)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(path + suffix);
        var clock = Stopwatch.StartNew();
        using (var journal = FrameJournal.Open(new StoreSettings { Path = path, Synchronous = SynchronousMode.Normal }))
        using (var writer = journal.CreateWriter())
        {
            Span<ushort> ids = stackalloc ushort[FramePool.InterfaceNames.Length];
            for (var i = 0; i < ids.Length; i++) ids[i] = journal.Interfaces.Resolve(FramePool.InterfaceNames[i]);
            var chunk = new CanFrame[4096];
            var source = pool.Frames;
            var lapStartNs = FramePool.FirstTimestampNs;
            var next = 0;
            long written = 0;
            while (written < frames)
            {
                var count = (int)Math.Min(chunk.Length, frames - written);
                for (var i = 0; i < count; i++)
                {
                    ref var frame = ref chunk[i];
                    frame = source[next];
                    frame.TimestampNs += lapStartNs;
                    frame.InterfaceId = ids[frame.InterfaceId];
                    if (++next == source.Length)
                    {
                        next = 0;
                        lapStartNs += pool.SpanNs;
                    }
                }
                writer.Append(chunk.AsSpan(0, count));
                written += count;
                if (writer.PendingFrames >= 65_536) writer.Commit(0);
            }
            if (writer.InTransaction) writer.Commit(0);
            if (journal.CommittedSeq != frames) throw new InvalidOperationException($"Committed seq is {journal.CommittedSeq}, expected {frames}.");
        }
        var expected = ReadExpected(path, frames);
        clock.Stop();
        var bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        return new StreamDatabase(path, frames, expected, bytes, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Count, dense seq 1..N and the checksum, from the file itself (raw SQLite, no CanMesh reader).</summary>
    private static FrameChecksum ReadExpected(string path, long frames)
    {
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READONLY, null);
        using (db)
        {
            if (rc != raw.SQLITE_OK) throw new InvalidOperationException($"Cannot open {path}: {raw.sqlite3_errstr(rc).utf8_to_string()}");
            rc = raw.sqlite3_prepare_v2(db, "SELECT seq, ts_ns, can_id, data FROM frames ORDER BY seq", out var statement);
            if (rc != raw.SQLITE_OK) throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
            using (statement)
            {
                var sum = new FrameChecksum();
                long expectedSeq = 1;
                while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    var seq = raw.sqlite3_column_int64(statement, 0);
                    if (seq != expectedSeq) throw new InvalidOperationException($"{path}: seq {seq} where {expectedSeq} was expected.");
                    expectedSeq++;
                    sum.Add(raw.sqlite3_column_int64(statement, 1), (uint)raw.sqlite3_column_int64(statement, 2), raw.sqlite3_column_blob(statement, 3));
                }
                if (rc != raw.SQLITE_DONE) throw new InvalidOperationException(raw.sqlite3_errmsg(db).utf8_to_string());
                if (sum.Frames != frames) throw new InvalidOperationException($"{path} holds {sum.Frames} frames; expected {frames}.");
                return sum;
            }
        }
    }

    public void Delete()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" }) File.Delete(Path + suffix);
    }
}
