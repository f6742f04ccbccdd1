namespace CanMesh.Capture.Api;

/// <summary>Which subscribers have a stream open now, for stats.</summary>
public sealed class ConnectedSubscribers
{
    private readonly Dictionary<string, int> _streams = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IDisposable Enter(string name)
    {
        lock (_lock) _streams[name] = _streams.GetValueOrDefault(name) + 1;
        return new Leave(this, name);
    }

    public IReadOnlySet<string> Snapshot()
    {
        lock (_lock) return _streams.Keys.ToHashSet(StringComparer.Ordinal);
    }

    private void Exit(string name)
    {
        lock (_lock)
        {
            if (--_streams[name] == 0) _streams.Remove(name);
        }
    }

    private sealed class Leave(ConnectedSubscribers owner, string name) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) owner.Exit(name);
        }
    }
}
