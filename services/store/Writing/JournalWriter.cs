using CanMesh.Frames;
using CanMesh.Store.Events;
using CanMesh.Store.Retention;
using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Writing;

/// <summary>
/// Appends frames to the journal in transactions: <see cref="Append"/> any number of times, then
/// <see cref="Commit"/>. Seq numbers are assigned here, densely, in append order (ARCHITECTURE.md invariant 2);
/// <see cref="FrameJournal.CommittedSeq"/> moves only after COMMIT returns (invariant 1). If a commit
/// fails, <see cref="Rollback"/> takes the sequence back, so the next attempt reuses the same numbers.
/// Owned by one thread.
/// </summary>
public sealed unsafe class JournalWriter : IDisposable
{
    private readonly FrameJournal _journal;
    private readonly SqliteDatabase _db;
    private readonly RawStatement _insertFrame;
    private readonly RawStatement _insertFrames;
    private readonly RawStatement _insertCommit;
    private readonly RawStatement _insertEvent;
    private readonly RawStatement _insertInterface;
    private readonly RawStatement _upsertWatermark;
    private readonly RawStatement _deleteSubscriber;
    // The open transaction holds writes taken from StagedWrites: they are in flight until it commits or rolls back.
    private bool _stagedInTransaction;
    private readonly RetentionEnforcer _retention;
    private readonly RunMark _runMark;
    private bool _inTransaction;
    private long _nextSeq;
    private long _transactionFirstSeq;
    private long _minTs;
    private long _maxTs;

    internal JournalWriter(FrameJournal journal, SqliteDatabase db)
    {
        _journal = journal;
        _db = db;
        db.Execute(journal.Settings.Synchronous == SynchronousMode.Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        // A larger page cache keeps the b-tree's right edge and the commits index hot during long runs.
        db.Execute("PRAGMA cache_size=-32768");
        _insertFrame = db.Prepare("INSERT INTO frames(seq, ts_ns, iface, can_id, flags, data) VALUES(?, ?, ?, ?, ?, ?)");
        // Most of an insert's cost is per statement step, not per row: a multi-row statement stores
        // RowsPerStatement frames per step (measured: about a third less CPU per row).
        _insertFrames = db.Prepare("INSERT INTO frames(seq, ts_ns, iface, can_id, flags, data) VALUES" +
            string.Join(",", Enumerable.Repeat("(?, ?, ?, ?, ?, ?)", RowsPerStatement)));
        _insertCommit = db.Prepare("INSERT INTO commits(first_seq, last_seq, min_ts_ns, max_ts_ns, committed_ns) VALUES(?1, ?2, ?3, ?4, ?5)");
        _insertEvent = db.Prepare(EventRow.InsertSql);
        _insertInterface = db.Prepare("INSERT OR IGNORE INTO interfaces(id, name) VALUES(?1, ?2)");
        _upsertWatermark = db.Prepare(Subscribers.SubscriberTable.UpsertSql);
        _deleteSubscriber = db.Prepare(Subscribers.SubscriberTable.DeleteSql);
        _retention = new RetentionEnforcer(journal, db);
        _runMark = new RunMark(db);
        _nextSeq = journal.CommittedSeq + 1;
    }

    /// <summary>Frames appended in the open transaction.</summary>
    public long PendingFrames => _inTransaction ? _nextSeq - _transactionFirstSeq : 0;

    public bool InTransaction => _inTransaction;

    /// <summary>
    /// Interface names, watermarks or subscriber deletions from other threads (see <see cref="StagedWrites"/>), or the run mark
    /// (<see cref="BeginRun"/>, <see cref="EndRun"/>), wait for a commit.
    /// </summary>
    public bool HasStagedWrites => _journal.Staged.HasPending || _runMark.HasPending;

    /// <summary>
    /// Marks the journal as written by a running capture, from the next commit until <see cref="EndRun"/> is
    /// committed. Returns when the previous run began (ns since the epoch) if it never got that far: it
    /// crashed, was killed or lost power. Null otherwise.
    /// </summary>
    public long? BeginRun(long startedNs) => _runMark.Begin(startedNs);

    /// <summary>The run ends cleanly: the next commit removes the mark.</summary>
    public void EndRun() => _runMark.End();

    /// <summary>Rows bound into one step of the multi-row insert.</summary>
    internal const int RowsPerStatement = 32;

    /// <summary>Appends frames in order; each gets the next seq.</summary>
    public void Append(ReadOnlySpan<CanFrame> frames)
    {
        if (frames.IsEmpty) return;
        EnsureTransaction();
        var seq = _nextSeq;
        var minTs = _minTs;
        var maxTs = _maxTs;
        fixed (CanFrame* first = frames)
        {
            var i = 0;
            // Payloads are pinned by the fixed statement for the whole step (SQLITE_STATIC, no copy).
            for (; i + RowsPerStatement <= frames.Length; i += RowsPerStatement)
            {
                var statement = _insertFrames.Handle;
                for (var row = 0; row < RowsPerStatement; row++)
                {
                    var frame = first + i + row;
                    Bind(statement, row * 6, seq + row, frame, ref minTs, ref maxTs);
                }
                Step(statement, seq);
                seq += RowsPerStatement;
            }
            for (; i < frames.Length; i++)
            {
                var statement = _insertFrame.Handle;
                Bind(statement, 0, seq, first + i, ref minTs, ref maxTs);
                Step(statement, seq);
                seq++;
            }
        }
        _nextSeq = seq;
        _minTs = minTs;
        _maxTs = maxTs;
    }

    private static void Bind(nint statement, int offset, long seq, CanFrame* frame, ref long minTs, ref long maxTs)
    {
        var ts = frame->TimestampNs;
        if (ts < minTs) minTs = ts;
        if (ts > maxTs) maxTs = ts;
        NativeSqlite.sqlite3_bind_int64(statement, offset + 1, seq);
        NativeSqlite.sqlite3_bind_int64(statement, offset + 2, ts);
        NativeSqlite.sqlite3_bind_int64(statement, offset + 3, frame->InterfaceId);
        NativeSqlite.sqlite3_bind_int64(statement, offset + 4, frame->Id);
        NativeSqlite.sqlite3_bind_int64(statement, offset + 5, FrameFlagsColumn.Pack(*frame));
        var length = (frame->Flags & CanFrameFlags.Remote) != 0 ? 0 : frame->Length;
        // The payload is bound by pointer: a length beyond it would store whatever memory follows.
        if (length > CanFrame.MaxFdLength) throw new InvalidOperationException($"Frame seq {seq} (id {frame->Id:X}) claims {length} data bytes; a CAN frame carries at most {CanFrame.MaxFdLength}. A source produced a corrupt frame.");
        // An empty blob still needs a non-null pointer, or SQLite stores NULL.
        NativeSqlite.sqlite3_bind_blob(statement, offset + 6, (byte*)&frame->Payload, length, 0);
    }

    private void Step(nint statement, long firstSeq)
    {
        var rc = NativeSqlite.sqlite3_step(statement);
        NativeSqlite.sqlite3_reset(statement);
        if (rc != NativeSqlite.SQLITE_DONE) throw SqliteError.From(_db.Handle, rc, $"storing frames from seq {firstSeq}");
    }

    /// <summary>Adds an event row to the open transaction (one is begun if needed).</summary>
    public void AppendEvent(CaptureEvent e)
    {
        EnsureTransaction();
        EventRow.Insert(_insertEvent, e);
    }

    /// <summary>
    /// Commits the open transaction, durably as <see cref="StoreSettings.Synchronous"/> says, and only then
    /// publishes the new committed seq. Returns the committed seq (unchanged if nothing was pending).
    /// </summary>
    public long Commit(long nowNs)
    {
        if (_journal.Staged.HasPending) WriteStaged();
        if (_runMark.HasPending)
        {
            EnsureTransaction();
            _runMark.Write();
        }
        if (!_inTransaction) return _journal.CommittedSeq;
        var lastSeq = _nextSeq - 1;
        if (lastSeq >= _transactionFirstSeq)
        {
            _insertCommit.Bind(1, _transactionFirstSeq);
            _insertCommit.Bind(2, lastSeq);
            _insertCommit.Bind(3, _minTs);
            _insertCommit.Bind(4, _maxTs);
            _insertCommit.Bind(5, nowNs);
            _insertCommit.Execute();
        }
        _db.Execute("COMMIT");
        _inTransaction = false;
        _runMark.Committed();
        if (_stagedInTransaction)
        {
            _stagedInTransaction = false;
            _journal.Staged.Committed();
        }
        if (lastSeq > _journal.CommittedSeq) _journal.Commits.Publish(lastSeq);
        return _journal.CommittedSeq;
    }

    /// <summary>Abandons the open transaction; the seqs it assigned will be assigned again.</summary>
    public void Rollback()
    {
        if (!_inTransaction) return;
        try
        {
            _db.RollbackIfOpen();
        }
        catch (SqliteError)
        {
            // A failed rollback after a failed write adds nothing a person can act on; the write's error said it.
        }
        _inTransaction = false;
        _nextSeq = _journal.CommittedSeq + 1;
        if (_stagedInTransaction)
        {
            _journal.Staged.Restore();
            _stagedInTransaction = false;
        }
    }

    /// <summary>
    /// Writes what other threads staged. Deletions go before watermarks (see <see cref="Subscribers.SubscriberChanges"/>),
    /// each with its event row, so a subscriber never disappears without its record.
    /// </summary>
    private void WriteStaged()
    {
        EnsureTransaction();
        var (interfaces, subscribers) = _journal.Staged.Take();
        _stagedInTransaction = true;
        foreach (var (id, name) in interfaces)
        {
            _insertInterface.Bind(1, id);
            _insertInterface.Bind(2, name);
            _insertInterface.Execute();
        }
        foreach (var deletion in subscribers.Deletions)
        {
            foreach (var name in deletion.Names)
            {
                _deleteSubscriber.Bind(1, name);
                _deleteSubscriber.Execute();
            }
            EventRow.Insert(_insertEvent, deletion.Record);
        }
        foreach (var w in subscribers.Watermarks)
        {
            _upsertWatermark.Bind(1, w.Name);
            _upsertWatermark.Bind(2, w.AckedSeq);
            _upsertWatermark.Bind(3, w.Retains ? 1 : 0);
            _upsertWatermark.Bind(4, w.UpdatedNs);
            _upsertWatermark.Execute();
        }
    }

    /// <summary>Deletes what retention allows or the disk budget requires; see <see cref="RetentionEnforcer"/>.</summary>
    public RetentionResult EnforceRetention(long nowNs, long freeDiskBytes)
    {
        if (_inTransaction) throw new InvalidOperationException("Commit before enforcing retention.");
        return _retention.Enforce(nowNs, freeDiskBytes);
    }

    private void EnsureTransaction()
    {
        if (_inTransaction) return;
        _db.Execute("BEGIN IMMEDIATE");
        _inTransaction = true;
        _transactionFirstSeq = _nextSeq;
        _minTs = long.MaxValue;
        _maxTs = long.MinValue;
    }

    public void Dispose()
    {
        Rollback();
        // Whatever other threads staged since the last commit must not be lost with the writer.
        if (_journal.Staged.HasPending)
        {
            try
            {
                Commit(0);
            }
            catch (SqliteError)
            {
                Rollback();
            }
        }
        _insertFrame.Dispose();
        _insertFrames.Dispose();
        _insertCommit.Dispose();
        _insertEvent.Dispose();
        _insertInterface.Dispose();
        _upsertWatermark.Dispose();
        _deleteSubscriber.Dispose();
        _retention.Dispose();
        _runMark.Dispose();
        _db.Dispose();
        _journal.WriterClosed();
    }
}
