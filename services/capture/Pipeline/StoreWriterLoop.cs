using System.Collections.Concurrent;
using CanMesh.Configuration;
using CanMesh.Frames;
using CanMesh.Store;
using CanMesh.Store.Events;
using CanMesh.Store.Sqlite;
using CanMesh.Store.Writing;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Pipeline;

/// <summary>
/// The one thread that writes to the journal: takes batches off the queue, appends them to the open
/// transaction, and commits when the transaction holds <see cref="PipelineSettings.CommitMaxFrames"/>
/// or its first frame has waited <see cref="PipelineSettings.CommitMaxDelay"/>. Batches go back to the
/// pool only after their commit, so a failed commit can be retried with the same frames and seqs.
/// Between commits it runs retention and forgets idle subscribers (Store:Subscribers:ForgetAfter). A full
/// disk (<see cref="SqliteError.IsOutOfSpace"/>) is logged, evicts what retention may, and is retried;
/// the loop keeps running and the queue absorbs what arrives meanwhile (once it is full, a live bus
/// drops and counts, a file or generator waits).
/// </summary>
internal sealed class StoreWriterLoop
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);

    private readonly FrameJournal _journal;
    private readonly JournalWriter _writer;
    private readonly FrameQueueReader _queue;
    private readonly FrameBatchPool _pool;
    private readonly DropRecorder _drops;
    private readonly ConcurrentQueue<CaptureEvent> _events;
    private readonly PipelineSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<FrameBatch> _uncommitted = [];
    // Events taken off the queue and not committed yet: kept however many attempts fail, until one commits them.
    private readonly List<CaptureEvent> _pendingEvents = [];
    private long _transactionStartTicks;
    private long _nextRetentionTicks;
    private long _nextForgetTicks;
    private long _commits;
    private long _commitFailures;
    private long _storeDrops;
    private long _storeCallStarted;
    private int _storeCallDepth;
    private string? _failure;

    public StoreWriterLoop(FrameJournal journal, FrameQueueReader queue, FrameBatchPool pool, DropRecorder drops,
        ConcurrentQueue<CaptureEvent> events, PipelineSettings settings, ILogger logger, TimeProvider time)
    {
        _journal = journal;
        _writer = journal.CreateWriter();
        _queue = queue;
        _pool = pool;
        _drops = drops;
        _events = events;
        _settings = settings;
        _logger = logger;
        _time = time;
        // A subscriber cannot open a stream while the capture is down, so that time does not count as idle: none
        // is forgotten before ForgetAfter of this run has passed (after a long stop, clients get time to come back).
        if (journal.Settings.Subscribers.ForgetAfter is { } forgetAfter) _nextForgetTicks = TicksFromNow(forgetAfter);
        // Before anything else is queued, so the record comes ahead of the new run's Started event.
        if (_writer.BeginRun(NowNs()) is { } previousStartNs) RecordUncleanShutdown(previousStartNs);
    }

    private void RecordUncleanShutdown(long previousStartNs)
    {
        var committed = _journal.CommittedSeq;
        var since = DateTimeOffset.UnixEpoch.AddTicks(previousStartNs / 100);
        _logger.LogWarning(
            "The previous capture run (started {Started:u}) did not stop cleanly (a crash, kill -9 or power loss): it committed frames through seq {Seq}; what it had read and not committed is lost.",
            since, committed);
        _events.Enqueue(new CaptureEvent(NowNs(), CaptureEventKind.UncleanShutdown, null, 1,
            $"The previous capture run (started {since:u}) did not stop cleanly (a crash, kill -9 or power loss): frames through seq {committed} are committed; " +
            "frames it had read but not committed are lost and were not counted.", LastSeq: committed));
    }

    public long Commits => Interlocked.Read(ref _commits);
    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    /// <summary>Frames lost because the store refused them even after eviction (a disk full with nothing to evict).</summary>
    public long StoreDrops => Interlocked.Read(ref _storeDrops);

    /// <summary>
    /// When the call into SQLite that is running now began (a <see cref="TimeProvider"/> timestamp), or
    /// 0 while the writer is not inside one: how long it has been stuck, for health.
    /// </summary>
    public long StoreCallStarted => Interlocked.Read(ref _storeCallStarted);

    /// <summary>Why the last write was refused even after a retry (frames were dropped); null once a commit succeeds again.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Runs until the queue is completed and drained, then commits what is left. Call on a dedicated thread.</summary>
    public void Run()
    {
        try
        {
            while (true)
            {
                var wait = _uncommitted.Count > 0 ? RemainingDelay() : IdleWait;
                if (_queue.TryRead(wait, out var batch)) Append(batch!);
                // Both bounds are checked after every batch: a steady stream that never leaves the queue
                // empty must still commit on time, not only on size.
                if (_uncommitted.Count > 0)
                {
                    if (_writer.PendingFrames >= _settings.CommitMaxFrames || RemainingDelay() <= TimeSpan.Zero) CommitOrRecover();
                }
                else if (HasWork)
                {
                    CommitOrRecover();
                }
                if (_queue.IsFinished) break;
                if (!_writer.InTransaction)
                {
                    RunRetentionIfDue();
                    ForgetIdleSubscribersIfDue();
                }
            }
            // Every frame read is in; the last commit also says this run ended cleanly.
            _writer.EndRun();
            CommitOrRecover();
        }
        finally
        {
            _writer.Dispose();
        }
    }

    private void Append(FrameBatch batch)
    {
        if (_uncommitted.Count == 0) _transactionStartTicks = _time.GetTimestamp();
        _uncommitted.Add(batch);
        BeginStoreCall();
        try
        {
            _writer.Append(batch.Frames);
        }
        catch (SqliteError error)
        {
            Fail(error);
        }
        finally
        {
            EndStoreCall();
        }
    }

    // Calls nest (a failed commit runs retention and retries inside it): the outermost one marks the time.
    private void BeginStoreCall()
    {
        if (_storeCallDepth++ == 0) Interlocked.Exchange(ref _storeCallStarted, Math.Max(1, _time.GetTimestamp()));
    }

    private void EndStoreCall()
    {
        if (--_storeCallDepth == 0) Interlocked.Exchange(ref _storeCallStarted, 0);
    }

    private TimeSpan RemainingDelay()
    {
        var remaining = _settings.CommitMaxDelay - _time.GetElapsedTime(_transactionStartTicks);
        return remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining;
    }

    private bool HasWork =>
        _uncommitted.Count > 0 || _pendingEvents.Count > 0 || !_events.IsEmpty || _drops.HasNews() || _writer.HasStagedWrites;

    private void CommitOrRecover()
    {
        if (!HasWork) return;
        BeginStoreCall();
        try
        {
            var now = NowNs();
            AppendEvents(now);
            _writer.Commit(now);
            Committed();
        }
        catch (SqliteError error)
        {
            Fail(error);
        }
        finally
        {
            EndStoreCall();
        }
    }

    /// <summary>Adds every event not committed yet (taken off the queue now or by an attempt that failed) and the drop counts' news.</summary>
    private void AppendEvents(long nowNs)
    {
        while (_events.TryDequeue(out var e)) _pendingEvents.Add(e);
        foreach (var e in _pendingEvents) _writer.AppendEvent(e);
        _drops.AppendEvents(_writer, nowNs);
    }

    private void Committed()
    {
        _drops.Confirm();
        _pendingEvents.Clear();
        Interlocked.Increment(ref _commits);
        ReturnBatches();
        Volatile.Write(ref _failure, null);
    }

    private void ReturnBatches()
    {
        foreach (var batch in _uncommitted) _pool.Return(batch);
        _uncommitted.Clear();
    }

    /// <summary>
    /// A write failed: undo the transaction, make room if the disk is full, and write the same frames and
    /// events again. If that fails too, the frames are dropped and counted so the capture goes on; the events
    /// stay pending and go with the next commit that succeeds (an event is never dropped).
    /// </summary>
    private void Fail(SqliteError error)
    {
        Interlocked.Increment(ref _commitFailures);
        _writer.Rollback();
        _drops.Rewind();
        // A backstop for a write that outgrew the space left: on a file system already 100% full the eviction
        // fails too (deleting writes to the WAL), which is why retention keeps a free-space floor
        // (Store:Retention:MinFreeDisk) and evicts before the disk is full.
        if (error.IsOutOfSpace)
        {
            _logger.LogError("Writing to the capture database failed: the file system is out of space ({Message}); evicting the oldest frames to make room.", error.Message);
            RunRetention(force: true);
        }
        else
        {
            _logger.LogError("Writing to the capture database failed: {Message}", error.Message);
        }
        var frames = _uncommitted.Sum(b => (long)b.Count);
        try
        {
            foreach (var batch in _uncommitted) _writer.Append(batch.Frames);
            AppendEvents(NowNs());
            _writer.Commit(NowNs());
            Committed();
            _logger.LogInformation("Retried the failed write: {Frames} frames committed.", frames);
        }
        catch (SqliteError again)
        {
            _writer.Rollback();
            _drops.Rewind();
            ReturnBatches();
            if (frames > 0)
            {
                Interlocked.Add(ref _storeDrops, frames);
                Volatile.Write(ref _failure, again.Message);
                _logger.LogCritical(
                    "Writing to the capture database failed again ({Message}); {Frames} frames dropped. Free disk space or lower Store:Retention:MaxBytes.",
                    again.Message, frames);
                // The event itself may not fit either; it stays pending until the store accepts writes.
                _events.Enqueue(new CaptureEvent(NowNs(), CaptureEventKind.SourceFault, null, frames,
                    $"{frames} frames could not be stored: {again.Message}"));
            }
            else
            {
                _logger.LogError("Writing to the capture database failed again ({Message}); {Events} events wait for the next commit.",
                    again.Message, _pendingEvents.Count);
            }
            Thread.Sleep(FailureBackoff);
        }
    }

    private void RunRetentionIfDue()
    {
        if (_time.GetTimestamp() < _nextRetentionTicks) return;
        RunRetention(force: false);
    }

    private void RunRetention(bool force)
    {
        _nextRetentionTicks = _time.GetTimestamp() + (long)(_journal.Settings.Retention.CheckInterval.TotalSeconds * _time.TimestampFrequency);
        BeginStoreCall();
        try
        {
            var free = force ? 0 : FreeDiskBytes();
            var result = _writer.EnforceRetention(NowNs(), free);
            if (result.DeletedFrames == 0) return;
            if (result.UnsyncedRange is { } u)
            {
                _logger.LogWarning("Retention deleted unacknowledged frames seq {First}..{Last} because {Reason}.", u.First, u.Last, result.Reason);
            }
            else
            {
                _logger.LogInformation("Retention deleted {Count} acknowledged frames ({Reason}).", result.DeletedFrames, result.Reason);
            }
        }
        catch (SqliteError error)
        {
            _logger.LogError("Retention failed: {Message}", error.Message);
        }
        finally
        {
            EndStoreCall();
        }
    }

    /// <summary>
    /// Stages the deletion of subscribers that do not retain and have had no stream open for ForgetAfter, with
    /// one event row; the next commit writes both. Checked as often as retention.
    /// </summary>
    private void ForgetIdleSubscribersIfDue()
    {
        if (_journal.Settings.Subscribers.ForgetAfter is not { } idleFor || _time.GetTimestamp() < _nextForgetTicks) return;
        _nextForgetTicks = TicksFromNow(_journal.Settings.Retention.CheckInterval);
        BeginStoreCall();
        try
        {
            var forgotten = _journal.Subscribers.ForgetIdle(NowNs(), idleFor);
            if (forgotten.Count > 0)
            {
                // A log line names a few; the event row lists more.
                var names = string.Join(", ", forgotten.Take(10).Select(w => w.Name)) + (forgotten.Count > 10 ? ", ..." : "");
                StoreWriterLog.SubscribersForgotten(_logger, DurationText.Format(idleFor), names, forgotten.Count);
            }
        }
        catch (SqliteError error)
        {
            StoreWriterLog.ForgettingSubscribersFailed(_logger, error.Message);
        }
        finally
        {
            EndStoreCall();
        }
    }

    // Saturating: ForgetAfter may be up to 100 years.
    private long TicksFromNow(TimeSpan span) =>
        _time.GetTimestamp() + (long)Math.Min(span.TotalSeconds * _time.TimestampFrequency, long.MaxValue / 2.0);

    private long FreeDiskBytes()
    {
        try
        {
            var full = Path.GetFullPath(_journal.Path);
            return new DriveInfo(Path.GetDirectoryName(full) ?? "/").AvailableFreeSpace;
        }
        catch (IOException)
        {
            return long.MaxValue;
        }
    }

    private long NowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
}
