using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Subscribers;

/// <summary>
/// Subscriber watermarks, durable. Callers throttle (the API persists at most every second or so per
/// subscriber), so this uses its own connection and short transactions beside the frame writer.
/// Thread-safe.
/// </summary>
public sealed class SubscriberTable : IDisposable
{
    private readonly SqliteDatabase _db;
    private readonly Lock _lock = new();

    internal SubscriberTable(string path) => _db = SqliteDatabase.Open(path, readOnly: false);

    /// <summary>
    /// Records what a subscriber has acknowledged. A watermark never moves backwards: an older ack that
    /// arrives late leaves the stored one alone.
    /// </summary>
    public void Save(string name, long ackedSeq, bool retains, long nowNs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_lock)
        {
            using var upsert = _db.Prepare(
                "INSERT INTO subscribers(name, acked_seq, retains, updated_ns) VALUES(?1, ?2, ?3, ?4) " +
                "ON CONFLICT(name) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq), retains = excluded.retains, updated_ns = excluded.updated_ns");
            upsert.Bind(1, name);
            upsert.Bind(2, ackedSeq);
            upsert.Bind(3, retains ? 1 : 0);
            upsert.Bind(4, nowNs);
            _db.WriteWithRetry(upsert.Execute);
        }
    }

    public SubscriberWatermark? Find(string name) => All().FirstOrDefault(w => w.Name == name);

    public IReadOnlyList<SubscriberWatermark> All()
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
