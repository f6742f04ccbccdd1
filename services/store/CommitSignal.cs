namespace CanMesh.Store;

/// <summary>
/// Tells waiters that the committed seq moved. Only committed frames are ever published (ARCHITECTURE.md
/// invariant 1), so this is the only clock subscribers follow.
/// </summary>
public sealed class CommitSignal
{
    private long _committedSeq;
    private TaskCompletionSource _next = NewSource();

    public CommitSignal(long committedSeq) => _committedSeq = committedSeq;

    public long CommittedSeq => Volatile.Read(ref _committedSeq);

    /// <summary>Completes when the committed seq is above <paramref name="seq"/> (at once if it already is).</summary>
    public async Task<long> WaitBeyondAsync(long seq, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = Volatile.Read(ref _next);
            var committed = CommittedSeq;
            if (committed > seq) return committed;
            await next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void Publish(long committedSeq)
    {
        Volatile.Write(ref _committedSeq, committedSeq);
        var previous = Interlocked.Exchange(ref _next, NewSource());
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
