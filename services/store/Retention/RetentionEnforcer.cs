using System.Globalization;
using CanMesh.Store.Events;
using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Retention;

/// <summary>
/// Deletes old frames on the writer's connection, oldest first, in chunks of their own transactions.
/// ARCHITECTURE.md invariant 5: age alone never deletes a frame a retaining subscriber has not acknowledged;
/// only the disk budget (Store:Retention:MaxBytes, or the file system running out of free space) can,
/// and then an UnsyncedEviction event records exactly which seq range went. Each chunk's transaction
/// also writes the event rows that record it (one row per kind per pass, extended chunk by chunk), so a
/// deletion is never committed without its record, and a failure leaves no transaction open.
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
    private readonly RawStatement _extendEvent;

    public RetentionEnforcer(FrameJournal journal, SqliteDatabase db)
    {
        _journal = journal;
        _db = db;
        _deleteFrames = db.Prepare("DELETE FROM frames WHERE seq BETWEEN ?1 AND ?2");
        _deleteCommits = db.Prepare("DELETE FROM commits WHERE last_seq <= ?1");
        // The newest commit whose frames are all older than the cutoff: the time index answers age questions.
        _ageBoundary = db.Prepare("SELECT COALESCE(MAX(last_seq), 0) FROM commits WHERE max_ts_ns < ?1");
        _saveEvicted = db.Prepare("INSERT INTO meta(key, value) VALUES('evicted_through_seq', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        _insertEvent = db.Prepare("INSERT INTO events(ts_ns, kind, source, count, first_seq, last_seq, message) VALUES(?1, ?2, NULL, ?3, ?4, ?5, ?6) RETURNING id");
        _extendEvent = db.Prepare("UPDATE events SET count = ?2, last_seq = ?3, message = ?4 WHERE id = ?1");
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
        var pass = new Pass(nowNs, safeThrough);

        if (settings.MaxAge is { } maxAge)
        {
            _ageBoundary.Bind(1, nowNs - (long)(maxAge.TotalMilliseconds * 1_000_000));
            var ageThrough = _ageBoundary.Step() ? _ageBoundary.GetInt64(0) : 0;
            _ageBoundary.Reset();
            var through = Math.Min(ageThrough, safeThrough);
            if (through >= first) first = Delete(pass, first, through, $"older than {maxAge}");
        }

        // Disk budget: free pages inside the file count as free space, since SQLite reuses them before growing.
        while (first <= committed)
        {
            var (excess, reason) = ExcessBytes(settings, freeDiskBytes);
            if (excess <= 0) break;
            var rows = committed - first + 1;
            var bytesPerRow = Math.Max(1.0, UsedBytes() / (double)rows);
            var count = (long)Math.Clamp(Math.Ceiling(excess / bytesPerRow * 1.05) + 1, 1, settings.DeleteChunk);
            first = Delete(pass, first, Math.Min(committed, first + count - 1), reason);
        }

        return pass.Deleted == 0 ? RetentionResult.None : new RetentionResult(pass.Deleted, pass.Acknowledged, pass.Unsynced, pass.Reason);
    }

    private (long Excess, string Reason) ExcessBytes(RetentionSettings settings, long freeDiskBytes)
    {
        var used = UsedBytes();
        var overBudget = settings.MaxBytes is { } max && used > max ? used - max : 0;
        // Saturating: callers pass long.MaxValue for "no file system limit".
        var freelist = FreelistBytes();
        var free = freeDiskBytes > long.MaxValue - freelist ? long.MaxValue : freeDiskBytes + freelist;
        var shortOfFree = free < settings.MinFreeDiskBytes ? settings.MinFreeDiskBytes - free : 0;
        return overBudget >= shortOfFree
            ? (overBudget, $"the database was over Store:Retention:MaxBytes ({settings.MaxBytes} bytes)")
            : (shortOfFree, $"the file system had less free space than Store:Retention:MinFreeDiskBytes ({settings.MinFreeDiskBytes} bytes)");
    }

    private long UsedBytes() =>
        (_db.QueryInt64("PRAGMA page_count") - _db.QueryInt64("PRAGMA freelist_count")) * _db.QueryInt64("PRAGMA page_size");

    private long FreelistBytes() => _db.QueryInt64("PRAGMA freelist_count") * _db.QueryInt64("PRAGMA page_size");

    /// <summary>Deletes <paramref name="first"/>..<paramref name="last"/> chunk by chunk, each with its record. Returns the next seq kept.</summary>
    private long Delete(Pass pass, long first, long last, string reason)
    {
        var chunk = _journal.Settings.Retention.DeleteChunk;
        for (var from = first; from <= last; from += chunk)
        {
            var to = Math.Min(last, from + chunk - 1);
            using (var transaction = _db.BeginImmediate())
            {
                _deleteFrames.Bind(1, from);
                _deleteFrames.Bind(2, to);
                _deleteFrames.Execute();
                _deleteCommits.Bind(1, to);
                _deleteCommits.Execute();
                // Remember the highest seq ever evicted: if every frame goes, a restart must still not reuse it.
                _saveEvicted.Bind(1, to.ToString(CultureInfo.InvariantCulture));
                _saveEvicted.Execute();
                pass.Add(from, to, reason);
                Record(pass);
                transaction.Commit();
            }
            _journal.AdvanceFirstSeq(to + 1);
        }
        return last + 1;
    }

    /// <summary>Writes the pass's event rows as they now stand: inserted by its first chunk, extended by the later ones.</summary>
    private void Record(Pass pass)
    {
        if (pass.Acknowledged is { } a)
        {
            pass.AcknowledgedEventId = Upsert(pass.AcknowledgedEventId, pass.NowNs, CaptureEventKind.Eviction, a,
                $"Deleted acknowledged frames seq {a.First}..{a.Last} ({pass.Reason}).");
        }
        if (pass.Unsynced is { } u)
        {
            pass.UnsyncedEventId = Upsert(pass.UnsyncedEventId, pass.NowNs, CaptureEventKind.UnsyncedEviction, u,
                $"Deleted frames seq {u.First}..{u.Last} that a retaining subscriber had not acknowledged ({pass.Reason}). " +
                "They are lost for that subscriber; raise the budget or free disk space to avoid this.");
        }
    }

    private long Upsert(long? id, long nowNs, CaptureEventKind kind, (long First, long Last) range, string message)
    {
        var count = range.Last - range.First + 1;
        if (id is { } existing)
        {
            _extendEvent.Bind(1, existing);
            _extendEvent.Bind(2, count);
            _extendEvent.Bind(3, range.Last);
            _extendEvent.Bind(4, message);
            _extendEvent.Execute();
            return existing;
        }
        _insertEvent.Bind(1, nowNs);
        _insertEvent.Bind(2, kind.ToString());
        _insertEvent.Bind(3, count);
        _insertEvent.Bind(4, range.First);
        _insertEvent.Bind(5, range.Last);
        _insertEvent.Bind(6, message);
        if (!_insertEvent.Step()) throw new InvalidOperationException("INSERT ... RETURNING id returned no row.");
        var inserted = _insertEvent.GetInt64(0);
        // Run the statement to its end so its write is complete before the transaction commits.
        while (_insertEvent.Step())
        {
        }
        return inserted;
    }

    /// <summary>What one <see cref="Enforce"/> call deleted so far, and the event rows recording it.</summary>
    private sealed class Pass(long nowNs, long safeThrough)
    {
        public long NowNs { get; } = nowNs;
        public long Deleted { get; private set; }
        public (long First, long Last)? Acknowledged { get; private set; }
        public (long First, long Last)? Unsynced { get; private set; }
        public string? Reason { get; private set; }
        public long? AcknowledgedEventId { get; set; }
        public long? UnsyncedEventId { get; set; }

        public void Add(long from, long to, string reason)
        {
            Deleted += to - from + 1;
            Reason = reason;
            var ackedPart = Math.Min(to, safeThrough);
            if (ackedPart >= from) Acknowledged = (Acknowledged?.First ?? from, ackedPart);
            if (to > safeThrough) Unsynced = (Unsynced?.First ?? Math.Max(from, safeThrough + 1), to);
        }
    }

    public void Dispose()
    {
        _deleteFrames.Dispose();
        _deleteCommits.Dispose();
        _ageBoundary.Dispose();
        _saveEvicted.Dispose();
        _insertEvent.Dispose();
        _extendEvent.Dispose();
    }
}
