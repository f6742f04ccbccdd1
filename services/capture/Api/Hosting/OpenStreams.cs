namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// Counts the streaming calls in progress, so a stopping service can wait until every stream has sent
/// its final status before Kestrel closes the connections under them.
/// </summary>
internal sealed class OpenStreams
{
    private readonly Lock _lock = new();
    private int _open;
    private TaskCompletionSource? _allEnded;

    public int Count
    {
        get { lock (_lock) return _open; }
    }

    public void Enter()
    {
        lock (_lock) _open++;
    }

    public void Exit()
    {
        TaskCompletionSource? allEnded = null;
        lock (_lock)
        {
            if (--_open == 0)
            {
                allEnded = _allEnded;
                _allEnded = null;
            }
        }
        allEnded?.TrySetResult();
    }

    /// <summary>Completes when no stream is open (at once if none is).</summary>
    public Task WhenNoneAsync()
    {
        lock (_lock)
        {
            if (_open == 0) return Task.CompletedTask;
            _allEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _allEnded.Task;
        }
    }
}
