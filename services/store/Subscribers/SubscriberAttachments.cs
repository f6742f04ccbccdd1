namespace CanMesh.Store.Subscribers;

/// <summary>
/// Which subscribers have a stream open now (the API attaches each Subscribe call). A subscriber with a
/// stream attached is neither forgotten nor removed; deciding that and staging the deletion happen
/// inside <see cref="WhileHeld"/>, so a stream attaching at the same moment either comes first (and
/// keeps its subscriber) or comes after and sees it deleted (and starts as a new subscriber), never a
/// mix of the two. Thread-safe.
/// </summary>
internal sealed class SubscriberAttachments
{
    private readonly Dictionary<string, int> _streams = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>One more stream of <paramref name="name"/>; dispose the result when that stream ends.</summary>
    public IDisposable Attach(string name)
    {
        lock (_lock) _streams[name] = _streams.GetValueOrDefault(name) + 1;
        return new Detach(this, name);
    }

    public IReadOnlySet<string> Snapshot()
    {
        lock (_lock) return _streams.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Runs <paramref name="decide"/> with the names attached now, while no stream can attach or detach.</summary>
    public T WhileHeld<T>(Func<IReadOnlySet<string>, T> decide)
    {
        lock (_lock) return decide(_streams.Keys.ToHashSet(StringComparer.Ordinal));
    }

    private void Exit(string name)
    {
        lock (_lock)
        {
            if (--_streams[name] == 0) _streams.Remove(name);
        }
    }

    private sealed class Detach(SubscriberAttachments owner, string name) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) owner.Exit(name);
        }
    }
}
