using CanMesh.Store.Subscribers;

namespace CanMesh.Store.Writing;

/// <summary>
/// Small writes from other threads (a new interface name, a subscriber's watermark) waiting for the
/// frame writer's next transaction. While a capture runs, its writer holds SQLite's write lock nearly
/// all the time (a transaction stays open until its commit bound), and a second connection polling for
/// the lock starves; so while a writer exists, it makes these writes, in the transaction of the frames
/// around them. Thread-safe.
/// </summary>
internal sealed class StagedWrites
{
    // A plain object: Monitor.Wait/PulseAll need one (System.Threading.Lock has no condition wait).
    private readonly object _lock = new();
    private readonly List<(ushort Id, string Name)> _interfaces = [];
    private readonly Dictionary<string, SubscriberWatermark> _watermarks = new(StringComparer.Ordinal);
    private long _stagedVersion;
    private long _takenVersion;
    private long _committedVersion;

    public bool HasPending
    {
        get
        {
            lock (_lock) return _interfaces.Count > 0 || _watermarks.Count > 0;
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
            ++_stagedVersion;
            if (_watermarks.TryGetValue(watermark.Name, out var staged) && staged.AckedSeq > watermark.AckedSeq)
            {
                watermark = watermark with { AckedSeq = staged.AckedSeq };
            }
            _watermarks[watermark.Name] = watermark;
            return _stagedVersion;
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

    /// <summary>The writer committed what it last took.</summary>
    public void Committed()
    {
        lock (_lock)
        {
            _committedVersion = Math.Max(_committedVersion, _takenVersion);
            Monitor.PulseAll(_lock);
        }
    }

    public SubscriberWatermark? StagedWatermark(string name)
    {
        lock (_lock) return _watermarks.GetValueOrDefault(name);
    }

    public IReadOnlyList<SubscriberWatermark> StagedWatermarks()
    {
        lock (_lock) return [.. _watermarks.Values];
    }

    /// <summary>Takes everything staged, for the writer's transaction.</summary>
    public (List<(ushort Id, string Name)> Interfaces, List<SubscriberWatermark> Watermarks) Take()
    {
        lock (_lock)
        {
            var taken = (new List<(ushort, string)>(_interfaces), new List<SubscriberWatermark>(_watermarks.Values));
            _takenVersion = _stagedVersion;
            _interfaces.Clear();
            _watermarks.Clear();
            return taken;
        }
    }

    /// <summary>Puts back what a rolled-back transaction held, under anything staged since.</summary>
    public void Restore(List<(ushort Id, string Name)> interfaces, List<SubscriberWatermark> watermarks)
    {
        lock (_lock)
        {
            _interfaces.InsertRange(0, interfaces);
            foreach (var w in watermarks)
            {
                if (_watermarks.TryGetValue(w.Name, out var newer))
                {
                    if (newer.AckedSeq < w.AckedSeq) _watermarks[w.Name] = newer with { AckedSeq = w.AckedSeq };
                }
                else
                {
                    _watermarks[w.Name] = w;
                }
            }
        }
    }
}
