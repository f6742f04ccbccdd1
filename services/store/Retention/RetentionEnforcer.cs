using System.Globalization;
using CanMesh.Store.Events;
using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Retention;

/// <summary>
/// Deletes old frames on the writer's connection, oldest first, in chunks of their own transactions.
/// DESIGN.md invariant 5: age alone never deletes a frame a retaining subscriber has not acknowledged;
/// only the disk budget (Store:Retention:MaxBytes, or the file system running out of free space) can,
/// and then an UnsyncedEviction event records exactly which seq range went.
/// </summary>
internal sealed class RetentionEnforcer : IDisposable
{
    private readonly FrameJournal _journal;
    private readonly SqliteDatabase _db;
    private readonly RawStatement _deleteFrames;
    private readonly RawStatement _deleteCommits;
    private readonly RawStatement _ageBoundary;
    private readonly RawStatement _saveEvicted;
    private readonly RawStatement _insertEvent;

    public RetentionEnforcer(FrameJournal journal, SqliteDatabase db)
    {
        _journal = journal;
        _db = db;
        _deleteFrames = db.Prepare("DELETE FROM frames WHERE seq BETWEEN ?1 AND ?2");
        _deleteCommits = db.Prepare("DELETE FROM commits WHERE last_seq <= ?1");
        // The newest commit whose frames are all older than the cutoff: the time index answers age questions.
        _ageBoundary = db.Prepare("SELECT COALESCE(MAX(last_seq), 0) FROM commits WHERE max_ts_ns < ?1");
        _saveEvicted = db.Prepare("INSERT INTO meta(key, value) VALUES('evicted_through_seq', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        _insertEvent = db.Prepare("INSERT INTO events(ts_ns, kind, source, count, first_seq, last_seq, message) VALUES(?1, ?2, NULL, ?3, ?4, ?5, ?6)");
    }

    public RetentionResult Enforce(long nowNs, long freeDiskBytes)
    {
        var settings = _journal.Settings.Retention;
        var committed = _journal.CommittedSeq;
        var first = _journal.FirstSeq;
        if (first > committed) return RetentionResult.None;

        // Everything up to safeThrough is acknowledged by every retaining subscriber.
        var safeThrough = committed;
        foreach (var subscriber in _journal.Subscribers.All())
        {
            if (subscriber.Retains) safeThrough = Math.Min(safeThrough, subscriber.AckedSeq);
        }

        long deleted = 0;
        (long, long)? acked = null, unsynced = null;
        string? reason = null;

        if (settings.MaxAge is { } maxAge)
        {
            _ageBoundary.Bind(1, nowNs - (long)(maxAge.TotalMilliseconds * 1_000_000));
            var ageThrough = _ageBoundary.Step() ? _ageBoundary.GetInt64(0) : 0;
            _ageBoundary.Reset();
            var through = Math.Min(ageThrough, safeThrough);
            if (through >= first)
            {
                deleted += DeleteRange(first, through, settings.DeleteChunk);
                acked = (first, through);
                reason = $"older than {maxAge}";
                first = through + 1;
            }
        }

        // Disk budget: free pages inside the file count as free space, since SQLite reuses them before growing.
        while (first <= committed)
        {
            var excess = ExcessBytes(settings, freeDiskBytes);
            if (excess <= 0) break;
            var rows = committed - first + 1;
            var bytesPerRow = Math.Max(1.0, UsedBytes() / (double)rows);
            var count = (long)Math.Clamp(Math.Ceiling(excess / bytesPerRow * 1.05) + 1, 1, settings.DeleteChunk);
            var through = Math.Min(committed, first + count - 1);
            deleted += DeleteRange(first, through, settings.DeleteChunk);
            var ackedPart = Math.Min(through, safeThrough);
            if (ackedPart >= first) acked = (acked?.Item1 ?? first, ackedPart);
            if (through > safeThrough)
            {
                var from = Math.Max(first, safeThrough + 1);
                unsynced = (unsynced?.Item1 ?? from, through);
            }
            reason = settings.MaxBytes is { } max && UsedBytes() + (through - first + 1) * bytesPerRow > max
                ? $"the database was over Store:Retention:MaxBytes ({max} bytes)"
                : $"the file system had less free space than Store:Retention:MinFreeDiskBytes ({settings.MinFreeDiskBytes} bytes)";
            first = through + 1;
        }

        if (deleted == 0) return RetentionResult.None;
        RecordEvents(nowNs, acked, unsynced, reason!);
        return new RetentionResult(deleted, acked, unsynced, reason);
    }

    private long ExcessBytes(RetentionSettings settings, long freeDiskBytes)
    {
        long excess = 0;
        var used = UsedBytes();
        if (settings.MaxBytes is { } max && used > max) excess = used - max;
        // Saturating: callers pass long.MaxValue for "no file system limit".
        var freelist = FreelistBytes();
        var free = freeDiskBytes > long.MaxValue - freelist ? long.MaxValue : freeDiskBytes + freelist;
        if (free < settings.MinFreeDiskBytes) excess = Math.Max(excess, settings.MinFreeDiskBytes - free);
        return excess;
    }

    private long UsedBytes() =>
        (_db.QueryInt64("PRAGMA page_count") - _db.QueryInt64("PRAGMA freelist_count")) * _db.QueryInt64("PRAGMA page_size");

    private long FreelistBytes() => _db.QueryInt64("PRAGMA freelist_count") * _db.QueryInt64("PRAGMA page_size");

    private long DeleteRange(long first, long last, int chunk)
    {
        long deleted = 0;
        for (var from = first; from <= last; from += chunk)
        {
            var to = Math.Min(last, from + chunk - 1);
            _db.Execute("BEGIN IMMEDIATE");
            try
            {
                _deleteFrames.Bind(1, from);
                _deleteFrames.Bind(2, to);
                _deleteFrames.Execute();
                _deleteCommits.Bind(1, to);
                _deleteCommits.Execute();
                // Remember the highest seq ever evicted: if every frame goes, a restart must still not reuse it.
                _saveEvicted.Bind(1, to.ToString(CultureInfo.InvariantCulture));
                _saveEvicted.Execute();
                _db.Execute("COMMIT");
            }
            catch
            {
                _db.Execute("ROLLBACK");
                throw;
            }
            deleted += to - from + 1;
            _journal.AdvanceFirstSeq(to + 1);
        }
        return deleted;
    }

    private void RecordEvents(long nowNs, (long First, long Last)? acked, (long First, long Last)? unsynced, string reason)
    {
        _db.Execute("BEGIN IMMEDIATE");
        if (acked is { } a)
        {
            Insert(nowNs, CaptureEventKind.Eviction, a.Last - a.First + 1, a.First, a.Last,
                $"Deleted acknowledged frames seq {a.First}..{a.Last} ({reason}).");
        }
        if (unsynced is { } u)
        {
            Insert(nowNs, CaptureEventKind.UnsyncedEviction, u.Last - u.First + 1, u.First, u.Last,
                $"Deleted frames seq {u.First}..{u.Last} that a retaining subscriber had not acknowledged ({reason}). " +
                "They are lost for that subscriber; raise the budget or free disk space to avoid this.");
        }
        _db.Execute("COMMIT");
    }

    private void Insert(long nowNs, CaptureEventKind kind, long count, long first, long last, string message)
    {
        _insertEvent.Bind(1, nowNs);
        _insertEvent.Bind(2, kind.ToString());
        _insertEvent.Bind(3, count);
        _insertEvent.Bind(4, first);
        _insertEvent.Bind(5, last);
        _insertEvent.Bind(6, message);
        _insertEvent.Execute();
    }

    public void Dispose()
    {
        _deleteFrames.Dispose();
        _deleteCommits.Dispose();
        _ageBoundary.Dispose();
        _saveEvicted.Dispose();
        _insertEvent.Dispose();
    }
}
