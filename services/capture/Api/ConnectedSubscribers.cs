namespace CanMesh.Capture.Api;

/// <summary>
/// Which subscribers have a stream open now: for stats, and so a stopping capture can let their last
/// watermarks reach the final commit.
/// </summary>
public sealed class ConnectedSubscribers
{
    private readonly Dictionary<string, int> _streams = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private TaskCompletionSource? _allLeft;

    public IDisposable Enter(string name)
    {
        lock (_lock) _streams[name] = _streams.GetValueOrDefault(name) + 1;
        return new Leave(this, name);
    }

    public IReadOnlySet<string> Snapshot()
    {
        lock (_lock) return _streams.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Completes when no stream is open (at once if none is).</summary>
    public Task WhenNoneAsync()
    {
        lock (_lock)
        {
            if (_streams.Count == 0) return Task.CompletedTask;
            _allLeft ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _allLeft.Task;
        }
    }

    private void Exit(string name)
    {
        TaskCompletionSource? allLeft = null;
        lock (_lock)
        {
            if (--_streams[name] == 0) _streams.Remove(name);
            if (_streams.Count == 0)
            {
                allLeft = _allLeft;
                _allLeft = null;
            }
        }
        allLeft?.TrySetResult();
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
