using System.Diagnostics;
using CanMesh.Forwarder.Postgres;

namespace CanMesh.Forwarder.Stats;

/// <summary>
/// The forwarder's counters: written by the block writer, read by the stats reporter (and tests). Lag is the
/// time since PostgreSQL last held everything the capture had committed; 0 while it does.
/// </summary>
internal sealed class ForwarderStats
{
    private readonly Lock _lock = new();
    private long _sent;
    private long _commits;
    private long _rejected;
    private long _missing;
    private long _retries;
    private ulong _committedSeq;
    private ulong _ackedSeq;
    private long _caughtUpAt = Stopwatch.GetTimestamp();
    private bool _caughtUp = true;
    private PostgresState _state = PostgresState.Connected;
    private string _lastError = "none";
    private string _captureId = "";

    public long Sent { get { lock (_lock) return _sent; } }

    public long Commits { get { lock (_lock) return _commits; } }

    public long Retries { get { lock (_lock) return _retries; } }

    public ulong AckedSeq { get { lock (_lock) return _ackedSeq; } }

    public string CaptureId { get { lock (_lock) return _captureId; } }

    public void Started(string captureId, ulong syncedSeq, ulong committedSeq)
    {
        lock (_lock)
        {
            _captureId = captureId;
            _ackedSeq = syncedSeq;
            UpdateCommitted(committedSeq);
        }
    }

    public void RecordCommit(BlockWritten written, ulong committedSeq)
    {
        lock (_lock)
        {
            _sent += written.Frames;
            _rejected += written.Rejected;
            _missing += written.Missing;
            _commits++;
            _ackedSeq = Math.Max(_ackedSeq, written.SyncedSeq);
            UpdateCommitted(committedSeq);
        }
    }

    /// <summary>The capture's committed seq as last seen on the stream.</summary>
    public void RecordCommitted(ulong committedSeq)
    {
        lock (_lock) UpdateCommitted(committedSeq);
    }

    public void RecordFailure(PostgresState state, string error)
    {
        lock (_lock)
        {
            _retries++;
            _state = state;
            _lastError = error;
        }
    }

    public void RecordState(PostgresState state)
    {
        lock (_lock) _state = state;
    }

    public Snapshot Take()
    {
        lock (_lock)
        {
            var pending = _committedSeq > _ackedSeq ? _committedSeq - _ackedSeq : 0;
            var lag = _caughtUp ? 0 : Stopwatch.GetElapsedTime(_caughtUpAt).TotalSeconds;
            return new Snapshot(_sent, _commits, _rejected, _missing, _retries, _committedSeq, _ackedSeq, pending, lag, _state, _lastError);
        }
    }

    private void UpdateCommitted(ulong committedSeq)
    {
        _committedSeq = Math.Max(_committedSeq, committedSeq);
        var caughtUp = _ackedSeq >= _committedSeq;
        if (caughtUp) _caughtUpAt = Stopwatch.GetTimestamp();
        else if (_caughtUp) _caughtUpAt = Stopwatch.GetTimestamp();
        _caughtUp = caughtUp;
    }

    public readonly record struct Snapshot(long Sent, long Commits, long Rejected, long Missing, long Retries, ulong CommittedSeq, ulong AckedSeq,
        ulong Pending, double LagSeconds, PostgresState State, string LastError);
}
