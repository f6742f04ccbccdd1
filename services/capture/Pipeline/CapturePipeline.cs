using System.Collections.Concurrent;
using CanMesh.Capture.Sources;
using CanMesh.Frames;
using CanMesh.Store;
using CanMesh.Store.Events;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Pipeline;

/// <summary>
/// The capture pipeline: one dedicated thread per source, a bounded queue, one writer thread into the
/// journal. Threads are named for what they do ("canmesh source can0", "canmesh store writer") so a
/// thread dump reads like the diagram in docs/ARCHITECTURE.md.
/// </summary>
public sealed class CapturePipeline : IDisposable
{
    private static readonly TimeSpan SourceStopTimeout = TimeSpan.FromSeconds(5);

    private readonly FrameJournal _journal;
    private readonly IReadOnlyList<IFrameSource> _sources;
    private readonly List<FrameSourceContext> _contexts = [];
    private readonly List<Thread> _sourceThreads = [];
    private readonly ConcurrentQueue<CaptureEvent> _events = new();
    private readonly FrameQueue _queue;
    private readonly FrameBatchPool _pool;
    private readonly StoreWriterLoop _writerLoop;
    private readonly Thread _writerThread;
    private readonly CancellationTokenSource _stopSources = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _sourcesFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception> _writerFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _committedSeqAtStart;
    private int _running;
    private long _startedTimestamp;
    private long _sourcesEndedTimestamp;
    private Exception? _writerFault;

    public CapturePipeline(FrameJournal journal, IReadOnlyList<IFrameSource> sources, PipelineSettings settings,
        ILoggerFactory loggers, TimeProvider time)
    {
        _journal = journal;
        _sources = sources;
        _time = time;
        _logger = loggers.CreateLogger("CanMesh.Capture.Pipeline");
        _committedSeqAtStart = journal.CommittedSeq;
        _queue = new FrameQueue(settings.QueueCapacityFrames);
        // Enough idle batches for a full queue plus one in hand per source: steady state allocates nothing.
        _pool = new FrameBatchPool(settings.BatchFrames, settings.QueueCapacityFrames / settings.BatchFrames + 4 * sources.Count + 8);
        var resolver = new JournalInterfaceResolver(journal.Interfaces);
        foreach (var source in sources)
        {
            _contexts.Add(new FrameSourceContext(source.Name, _pool, _queue.Writer, resolver, _events.Enqueue,
                loggers.CreateLogger($"CanMesh.Capture.Sources.{source.Kind}"), time, source.Origin, _stopSources.Token));
        }
        _writerLoop = new StoreWriterLoop(journal, _queue.Reader, _pool, new DropRecorder(_contexts), _events, settings,
            loggers.CreateLogger("CanMesh.Capture.StoreWriter"), time);
        _writerThread = new Thread(RunWriter) { Name = "canmesh store writer", IsBackground = true };
    }

    public FrameJournal Journal => _journal;
    public IReadOnlyList<IFrameSource> Sources => _sources;
    public IReadOnlyList<FrameSourceContext> SourceContexts => _contexts;
    public FrameQueue Queue => _queue;
    public long Commits => _writerLoop.Commits;
    public long StoreDrops => _writerLoop.StoreDrops;

    /// <summary>When the writer's current call into SQLite began (timestamp), 0 when it is not in one.</summary>
    public long WriterStoreCallStarted => _writerLoop.StoreCallStarted;

    /// <summary>Why writes are being refused (frames dropped) now; null while they succeed.</summary>
    public string? WriterFailure => _writerLoop.Failure;

    /// <summary>Completes when every source has returned from Run (replays that ended, or after a stop).</summary>
    public Task SourcesFinished => _sourcesFinished.Task;

    /// <summary>When <see cref="Start"/> ran, on the pipeline's <see cref="TimeProvider"/> timestamp clock (0 before).</summary>
    public long StartedTimestamp => Interlocked.Read(ref _startedTimestamp);

    /// <summary>When the last source returned from Run, on the same clock as <see cref="StartedTimestamp"/> (0 while any runs).</summary>
    public long SourcesEndedTimestamp => Interlocked.Read(ref _sourcesEndedTimestamp);

    /// <summary>Completes with the error if the store writer thread stops unexpectedly: nothing is stored after that.</summary>
    public Task<Exception> WriterFailed => _writerFailed.Task;

    /// <summary>Records an event row with the next commit (start, stop and other service-level events).</summary>
    public void RecordEvent(CaptureEvent e) => _events.Enqueue(e);

    public void Start()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0) throw new InvalidOperationException("The pipeline is already running.");
        Interlocked.Exchange(ref _startedTimestamp, _time.GetTimestamp());
        _writerThread.Start();
        var remaining = _sources.Count;
        if (remaining == 0) SourcesEnded();
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i];
            var context = _contexts[i];
            var thread = new Thread(() =>
            {
                RunSource(source, context);
                if (Interlocked.Decrement(ref remaining) == 0) SourcesEnded();
            })
            {
                Name = $"canmesh source {source.Name}",
                IsBackground = true,
                // Reading a bus is latency-sensitive; storage can wait a little.
                Priority = ThreadPriority.AboveNormal,
            };
            _sourceThreads.Add(thread);
            thread.Start();
        }
    }

    private void SourcesEnded()
    {
        Interlocked.Exchange(ref _sourcesEndedTimestamp, _time.GetTimestamp());
        _sourcesFinished.TrySetResult();
    }

    /// <summary>
    /// Stops the sources, lets the writer drain the queue and commit everything read, and waits for it.
    /// Every frame a source handed over before the stop is in the database when this returns.
    /// </summary>
    /// <param name="lastEvent">Made after the sources stopped and committed with the last frames (the Stopped event).</param>
    public void Stop(Func<CaptureEvent>? lastEvent = null)
    {
        if (Interlocked.Exchange(ref _running, 2) != 1) return;
        _stopSources.Cancel();
        foreach (var thread in _sourceThreads)
        {
            if (!thread.Join(SourceStopTimeout))
            {
                _logger.LogWarning("Source thread {Thread} did not stop within {Timeout}; its last frames may be missing.", thread.Name, SourceStopTimeout);
            }
        }
        if (lastEvent is not null) _events.Enqueue(lastEvent());
        _queue.Writer.Complete();
        _writerThread.Join();
        if (_writerFault is not null) throw new InvalidOperationException("The store writer failed.", _writerFault);
    }

    /// <summary>What this run read and what became of it; final once <see cref="Stop"/> has returned.</summary>
    public CaptureOutcome Outcome()
    {
        long read = 0, queueDrops = 0, kernelDrops = 0;
        foreach (var context in _contexts)
        {
            read += context.Counters.Frames;
            queueDrops += context.Counters.QueueDrops;
            kernelDrops += context.Counters.KernelDrops;
        }
        return new CaptureOutcome(read, _journal.CommittedSeq - _committedSeqAtStart, queueDrops, StoreDrops, kernelDrops);
    }

    private void RunSource(IFrameSource source, FrameSourceContext context)
    {
        try
        {
            context.SetState(SourceState.Running);
            source.Run(context, _stopSources.Token);
            if (context.State is SourceState.Running or SourceState.Starting or SourceState.Waiting)
            {
                context.SetState(_stopSources.IsCancellationRequested ? SourceState.Stopped : SourceState.Finished);
            }
        }
        catch (Exception error)
        {
            context.SetState(SourceState.Faulted, error.Message);
            context.Counters.AddFault();
            // An I/O error is the input's state (a log deleted, a device gone), said in full by its message; anything
            // else is a bug, for which the stack trace is what a person needs.
            var isInput = error is IOException or UnauthorizedAccessException;
            _logger.LogError(isInput ? null : error, "Source {Source} ({Kind}) failed and stopped: {Message}", source.Name, source.Kind, error.Message);
            context.RecordEvent(CaptureEventKind.SourceFault, $"{source.Kind} source failed: {error.Message}");
        }
    }

    private void RunWriter()
    {
        try
        {
            _writerLoop.Run();
        }
        catch (Exception error)
        {
            _writerFault = error;
            _writerFailed.TrySetResult(error);
            _logger.LogCritical(error, "The store writer stopped: {Message}", error.Message);
        }
    }

    public void Dispose()
    {
        Stop(null);
        _stopSources.Dispose();
    }

    private sealed class JournalInterfaceResolver(InterfaceCatalog catalog) : IInterfaceResolver
    {
        public ushort Resolve(string interfaceName) => catalog.Resolve(interfaceName);
    }
}
