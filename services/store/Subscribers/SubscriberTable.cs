using CanMesh.Store.Events;
using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Subscribers;

/// <summary>
/// Subscriber watermarks, durable. While a frame writer runs, a saved watermark or a deletion is written in
/// its next transaction (within the commit delay) and reads include it at once; otherwise it is written at
/// once. Callers throttle (the API saves at most every second or so per subscriber). Also knows which
/// subscribers have a stream attached (<see cref="Attach"/>): those are never forgotten or removed.
/// Thread-safe.
/// </summary>
public sealed class SubscriberTable : IDisposable
{
    private static readonly TimeSpan DurableWait = TimeSpan.FromSeconds(5);

    private readonly SqliteDatabase _db;
    private readonly FrameJournal _journal;
    private readonly SubscriberAttachments _attachments = new();
    private readonly Lock _lock = new();

    internal SubscriberTable(string path, FrameJournal journal)
    {
        _db = SqliteDatabase.Open(path, readOnly: false);
        _journal = journal;
    }

    internal const string UpsertSql =
        "INSERT INTO subscribers(name, acked_seq, retains, updated_ns) VALUES(?1, ?2, ?3, ?4) " +
        "ON CONFLICT(name) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq), retains = excluded.retains, updated_ns = excluded.updated_ns";

    internal const string DeleteSql = "DELETE FROM subscribers WHERE name = ?1";

    /// <summary>
    /// Records what a subscriber has acknowledged. A watermark never moves backwards: an older ack that
    /// arrives late leaves the stored one alone. Also stamps updated_ns, the time the subscriber was last seen.
    /// </summary>
    /// <param name="waitDurable">
    /// While a writer runs: wait (up to 5 s) until the writer has committed it, as at the end of a
    /// subscription. Otherwise the write is durable on return anyway.
    /// </param>
    public void Save(string name, long ackedSeq, bool retains, long nowNs, bool waitDurable = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_journal.HasWriter)
        {
            var version = _journal.Staged.StageWatermark(new SubscriberWatermark(name, ackedSeq, retains, nowNs));
            if (waitDurable) _journal.Staged.WaitCommitted(version, DurableWait);
            return;
        }
        lock (_lock)
        {
            using var upsert = _db.Prepare(UpsertSql);
            upsert.Bind(1, name);
            upsert.Bind(2, ackedSeq);
            upsert.Bind(3, retains ? 1 : 0);
            upsert.Bind(4, nowNs);
            _db.WriteWithRetry(upsert.Execute);
        }
    }

    /// <summary>
    /// A stream of <paramref name="name"/> is open until the result is disposed: the subscriber counts as
    /// connected and is neither forgotten nor removed. Attach before reading the subscriber's watermark, so
    /// a removal either waits for this stream to end or happens wholly before it starts.
    /// </summary>
    public IDisposable Attach(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _attachments.Attach(name);
    }

    /// <summary>The subscribers with a stream attached now.</summary>
    public IReadOnlySet<string> Attached() => _attachments.Snapshot();

    public SubscriberWatermark? Find(string name) => All().FirstOrDefault(w => w.Name == name);

    /// <summary>Every subscriber's watermark: the stored ones with the changes not committed yet applied.</summary>
    public IReadOnlyList<SubscriberWatermark> All()
    {
        var rows = Stored();
        _journal.Staged.Overlay(rows);
        return [.. rows.Values.OrderBy(w => w.Name, StringComparer.Ordinal)];
    }

    private Dictionary<string, SubscriberWatermark> Stored()
    {
        lock (_lock)
        {
            using var select = _db.Prepare("SELECT name, acked_seq, retains, updated_ns FROM subscribers");
            var rows = new Dictionary<string, SubscriberWatermark>(StringComparer.Ordinal);
            while (select.Step())
            {
                var name = select.GetString(0)!;
                rows[name] = new SubscriberWatermark(name, select.GetInt64(1), select.GetInt64(2) != 0, select.GetInt64(3));
            }
            return rows;
        }
    }

    /// <summary>
    /// Removes a subscriber on purpose, with a SubscriberRemoved event row. Refused while it has a stream
    /// attached. A retaining subscriber's unacknowledged frames are no longer kept for it from this moment
    /// (retention reads the subscribers with the removal applied).
    /// </summary>
    /// <param name="waitDurable">While a writer runs: wait (up to 5 s) until the removal is committed.</param>
    public SubscriberRemoval Remove(string name, long nowNs, bool waitDurable = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var committed = _journal.CommittedSeq;
        var (removal, version) = _attachments.WhileHeld(attached =>
        {
            var found = Find(name);
            if (found is null) return (new SubscriberRemoval(SubscriberRemovalOutcome.NotFound, null, 0, Durable: true), 0L);
            var pending = Math.Max(0, committed - found.AckedSeq);
            if (attached.Contains(name)) return (new SubscriberRemoval(SubscriberRemovalOutcome.StreamOpen, found, pending, Durable: true), 0L);
            var staged = Delete(new SubscriberDeletion([name], SubscriberEvents.Removed(found, committed, nowNs)));
            return (new SubscriberRemoval(SubscriberRemovalOutcome.Removed, found, pending, Durable: staged is null), staged ?? 0L);
        });
        if (version != 0 && waitDurable) removal = removal with { Durable = _journal.Staged.WaitCommitted(version, DurableWait) };
        return removal;
    }

    /// <summary>
    /// Forgets the subscribers that do not retain, have no stream attached and were last seen (updated_ns) at
    /// least <paramref name="idleFor"/> before <paramref name="nowNs"/>, with one SubscribersForgotten event row
    /// for all of them. Never waits: the store writer calls it between its commits, and commits it next.
    /// </summary>
    /// <returns>The subscribers forgotten, as they were.</returns>
    public IReadOnlyList<SubscriberWatermark> ForgetIdle(long nowNs, TimeSpan idleFor)
    {
        var lastSeenBefore = nowNs - idleFor.Ticks * 100;
        return _attachments.WhileHeld(attached =>
        {
            var idle = All().Where(w => !w.Retains && w.UpdatedNs <= lastSeenBefore && !attached.Contains(w.Name)).ToArray();
            if (idle.Length > 0) Delete(new SubscriberDeletion([.. idle.Select(w => w.Name)], SubscriberEvents.Forgotten(idle, idleFor, nowNs)));
            return idle;
        });
    }

    /// <summary>Stages the deletion for the writer (returns its version), or, with no writer, commits it now (returns null).</summary>
    private long? Delete(SubscriberDeletion deletion)
    {
        if (_journal.HasWriter) return _journal.Staged.StageDeletion(deletion);
        lock (_lock)
        {
            using var delete = _db.Prepare(DeleteSql);
            using var insertEvent = _db.Prepare(EventRow.InsertSql);
            _db.WriteWithRetry(() =>
            {
                using var transaction = _db.BeginImmediate();
                foreach (var name in deletion.Names)
                {
                    delete.Bind(1, name);
                    delete.Execute();
                }
                EventRow.Insert(insertEvent, deletion.Record);
                transaction.Commit();
            });
        }
        return null;
    }

    public void Dispose() => _db.Dispose();
}
