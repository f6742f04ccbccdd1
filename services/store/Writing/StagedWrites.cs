using CanMesh.Store.Subscribers;

namespace CanMesh.Store.Writing;

/// <summary>
/// Small writes from other threads (a new interface name, a subscriber's watermark, the deletion of a
/// subscriber) waiting for the frame writer's next transaction. While a capture runs, its writer holds
/// SQLite's write lock nearly all the time (a transaction stays open until its commit bound), and a
/// second connection polling for the lock starves; so while a writer exists, it makes these writes, in
/// the transaction of the frames around them. What the writer has taken stays "in flight" until its
/// commit, so readers of the subscribers (<see cref="Overlay"/>) see every change from the moment it is
/// staged, not the table as it was until the commit; a rollback puts it back. Thread-safe.
/// </summary>
internal sealed class StagedWrites
{
    // A plain object: Monitor.Wait/PulseAll need one (System.Threading.Lock has no condition wait).
    private readonly object _lock = new();
    private List<(ushort Id, string Name)> _interfaces = [];
    private List<(ushort Id, string Name)> _interfacesInFlight = [];
    private SubscriberChanges _subscribers = new();
    private SubscriberChanges _subscribersInFlight = new();
    private long _stagedVersion;
    private long _takenVersion;
    private long _committedVersion;

    public bool HasPending
    {
        get
        {
            lock (_lock) return _interfaces.Count > 0 || !_subscribers.IsEmpty;
        }
    }

    public long StageInterface(ushort id, string name)
    {
        lock (_lock)
        {
            _interfaces.Add((id, name));
            return ++_stagedVersion;
        }
    }

    /// <summary>Keeps the highest ack per subscriber (watermarks never move backwards) and the latest retain flag.</summary>
    public long StageWatermark(SubscriberWatermark watermark)
    {
        lock (_lock)
        {
            _subscribers.Save(watermark);
            return ++_stagedVersion;
        }
    }

    /// <summary>Deletes subscriber rows with the event that records it; a watermark staged later starts a new row.</summary>
    public long StageDeletion(SubscriberDeletion deletion)
    {
        lock (_lock)
        {
            _subscribers.Delete(deletion);
            return ++_stagedVersion;
        }
    }

    /// <summary>Waits until what was staged up to <paramref name="version"/> is committed; false on timeout.</summary>
    public bool WaitCommitted(long version, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_committedVersion < version)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, (int)left)) return _committedVersion >= version;
            }
            return true;
        }
    }

    /// <summary>Applies the subscriber changes not committed yet (in flight, then staged) to rows read from the table.</summary>
    public void Overlay(Dictionary<string, SubscriberWatermark> rows)
    {
        lock (_lock)
        {
            _subscribersInFlight.ApplyTo(rows);
            _subscribers.ApplyTo(rows);
        }
    }

    /// <summary>Takes everything staged, for the writer's transaction; it is in flight until <see cref="Committed"/> or <see cref="Restore"/>.</summary>
    public (IReadOnlyList<(ushort Id, string Name)> Interfaces, SubscriberChanges Subscribers) Take()
    {
        lock (_lock)
        {
            var interfaces = _interfaces;
            var subscribers = _subscribers;
            _interfaces = [];
            _subscribers = new SubscriberChanges();
            _interfacesInFlight.AddRange(interfaces);
            _subscribersInFlight.Append(subscribers);
            _takenVersion = _stagedVersion;
            return (interfaces, subscribers);
        }
    }

    /// <summary>The writer committed what it took.</summary>
    public void Committed()
    {
        lock (_lock)
        {
            _interfacesInFlight = [];
            _subscribersInFlight = new SubscriberChanges();
            _committedVersion = Math.Max(_committedVersion, _takenVersion);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>The writer's transaction rolled back: what it took is staged again, ahead of anything staged since.</summary>
    public void Restore()
    {
        lock (_lock)
        {
            _interfacesInFlight.AddRange(_interfaces);
            _interfaces = _interfacesInFlight;
            _interfacesInFlight = [];
            _subscribersInFlight.Append(_subscribers);
            _subscribers = _subscribersInFlight;
            _subscribersInFlight = new SubscriberChanges();
        }
    }
}
