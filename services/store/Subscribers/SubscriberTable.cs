using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Subscribers;

/// <summary>
/// Subscriber watermarks, durable. While a frame writer runs, a saved watermark is written in its next
/// transaction (within the commit delay) and reads include it at once; otherwise it is written at once.
/// Callers throttle (the API saves at most every second or so per subscriber). Thread-safe.
/// </summary>
public sealed class SubscriberTable : IDisposable
{
    private readonly SqliteDatabase _db;
    private readonly FrameJournal _journal;
    private readonly Lock _lock = new();

    internal SubscriberTable(string path, FrameJournal journal)
    {
        _db = SqliteDatabase.Open(path, readOnly: false);
        _journal = journal;
    }

    internal const string UpsertSql =
        "INSERT INTO subscribers(name, acked_seq, retains, updated_ns) VALUES(?1, ?2, ?3, ?4) " +
        "ON CONFLICT(name) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq), retains = excluded.retains, updated_ns = excluded.updated_ns";

    /// <summary>
    /// Records what a subscriber has acknowledged. A watermark never moves backwards: an older ack that
    /// arrives late leaves the stored one alone.
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
            if (waitDurable) _journal.Staged.WaitCommitted(version, TimeSpan.FromSeconds(5));
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

    public SubscriberWatermark? Find(string name) => All().FirstOrDefault(w => w.Name == name);

    /// <summary>Every subscriber's watermark: the stored ones with any staged for the writer laid over them.</summary>
    public IReadOnlyList<SubscriberWatermark> All()
    {
        var stored = Stored();
        var staged = _journal.Staged.StagedWatermarks();
        if (staged.Count == 0) return stored;
        var merged = stored.ToDictionary(w => w.Name, StringComparer.Ordinal);
        foreach (var w in staged)
        {
            merged[w.Name] = merged.TryGetValue(w.Name, out var old) && old.AckedSeq > w.AckedSeq ? w with { AckedSeq = old.AckedSeq } : w;
        }
        return [.. merged.Values.OrderBy(w => w.Name, StringComparer.Ordinal)];
    }

    private IReadOnlyList<SubscriberWatermark> Stored()
    {
        lock (_lock)
        {
            using var select = _db.Prepare("SELECT name, acked_seq, retains, updated_ns FROM subscribers ORDER BY name");
            var list = new List<SubscriberWatermark>();
            while (select.Step())
            {
                list.Add(new SubscriberWatermark(select.GetString(0)!, select.GetInt64(1), select.GetInt64(2) != 0, select.GetInt64(3)));
            }
            return list;
        }
    }

    public bool Remove(string name)
    {
        lock (_lock)
        {
            using var delete = _db.Prepare("DELETE FROM subscribers WHERE name = ?1");
            delete.Bind(1, name);
            _db.WriteWithRetry(delete.Execute);
            return _db.QueryInt64("SELECT changes()") > 0;
        }
    }

    public void Dispose() => _db.Dispose();
}
