using CanMesh.Frames;
using CanMesh.Store;
using CanMesh.Store.Reading;

namespace CanMesh.Capture.Api;

/// <summary>
/// Reads the journal one batch ahead for a stream: while the current batch is being sent, the next is
/// read on the thread pool, so SQLite and the socket work at the same time instead of taking turns.
/// The protocol: <see cref="ReadAsync"/>, use <see cref="Frames"/> and <see cref="Seqs"/> (copy what is
/// needed), then <see cref="Prefetch"/> the next range, then send. One buffer: a prefetch overwrites it.
/// </summary>
internal sealed class PrefetchingFrameReader : IAsyncDisposable
{
    private readonly FrameReader _reader;
    private readonly CanFrame[] _frames;
    private readonly long[] _seqs;
    private Task<int>? _pending;
    private long _pendingFrom;

    public PrefetchingFrameReader(FrameJournal journal, int batchFrames)
    {
        _reader = journal.OpenReader();
        _frames = new CanFrame[batchFrames];
        _seqs = new long[batchFrames];
    }

    public ReadOnlySpan<CanFrame> Frames(int count) => _frames.AsSpan(0, count);
    public ReadOnlySpan<long> Seqs(int count) => _seqs.AsSpan(0, count);

    /// <summary>
    /// Frames with seq in [<paramref name="from"/>, <paramref name="to"/>], at most a batch: the prefetched
    /// read if it started at <paramref name="from"/> (it may end before <paramref name="to"/>: more
    /// committed since; the next call gets those), else a read now.
    /// </summary>
    public async ValueTask<int> ReadAsync(long from, long to)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            var n = await pending.ConfigureAwait(false);
            if (_pendingFrom == from) return n;
        }
        return _reader.Read(from, to, _frames, _seqs);
    }

    /// <summary>Starts reading [<paramref name="from"/>, <paramref name="to"/>] in the background. The buffer is overwritten.</summary>
    public void Prefetch(long from, long to)
    {
        if (_pending is not null) throw new InvalidOperationException("A prefetch is already running.");
        if (from > to) return;
        _pendingFrom = from;
        _pending = Task.Run(() => _reader.Read(from, to, _frames, _seqs));
    }

    public async ValueTask DisposeAsync()
    {
        if (_pending is { } pending)
        {
            // The reader's connection must not close under a read in flight.
            await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _reader.Dispose();
    }
}
