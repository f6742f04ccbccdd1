using CanMesh.Capture.Configuration;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Capture.Stats;
using CanMesh.Hosting;
using CanMesh.Store;
using CanMesh.Store.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanMesh.Capture.Hosting;

/// <summary>
/// Runs the capture for the host: opens the journal, starts the pipeline, logs stats, and on stop
/// (SIGTERM, SIGINT, or every source ended) drains the queue and commits before the process exits.
/// </summary>
public sealed class CaptureService : IHostedService, IDisposable
{
    private readonly CaptureSettings _settings;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private FrameJournal? _journal;
    private CapturePipeline? _pipeline;
    private StatsLogger? _stats;
    private Task _background = Task.CompletedTask;

    public CaptureService(CaptureSettings settings, ILoggerFactory loggers, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        _settings = settings;
        _loggers = loggers;
        _logger = loggers.CreateLogger("CanMesh.Capture");
        _lifetime = lifetime;
        _time = time;
    }

    /// <summary>The running pipeline (for the API); null before start.</summary>
    public CapturePipeline? Pipeline => _pipeline;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _journal = FrameJournal.Open(_settings.Store);
        }
        catch (Exception error) when (StoreOpenFailure.Explains(error))
        {
            throw StoreOpenFailure.Explain(_settings.Store.Path, error);
        }
        _logger.LogInformation("Capture database {Path} (capture id {CaptureId}, synchronous {Sync}): committed seq {Seq}.",
            _journal.Path, _journal.CaptureId, _settings.Store.Synchronous.ToString().ToLowerInvariant(), _journal.CommittedSeq);
        var sources = _settings.Interfaces.Select(FrameSourceFactory.Create).ToArray();
        _pipeline = new CapturePipeline(_journal, sources, _settings.Pipeline, _loggers, _time);
        var summary = string.Join(", ", sources.Select(s => $"{s.Name} ({s.Kind})"));
        _pipeline.RecordEvent(new CaptureEvent(NowNs(), CaptureEventKind.Started, null, 1, $"Capture started: {summary}."));
        _pipeline.Start();
        _logger.LogInformation("Capturing {Sources}.", summary);

        _stats = new StatsLogger(new CaptureStatsCollector(_pipeline, _time), _loggers.CreateLogger("CanMesh.Capture.Stats"));
        var statsTask = _stats.RunAsync(_settings.StatsInterval, _stopping.Token);
        var endTask = WatchSourcesEndAsync(_pipeline);
        var writerTask = WatchWriterAsync(_pipeline);
        _background = Task.WhenAll(statsTask, endTask, writerTask);
        return Task.CompletedTask;
    }

    private async Task WatchSourcesEndAsync(CapturePipeline pipeline)
    {
        await pipeline.SourcesFinished.WaitAsync(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_stopping.IsCancellationRequested) return;
        // A faulted source does not come back by itself, and nothing reads any more: a failure exit lets a
        // supervisor's restart policy try again, whatever ExitWhenSourcesEnd says (it is about inputs that ended).
        var faulted = pipeline.SourceContexts.Where(c => c.State == SourceState.Faulted).ToArray();
        if (faulted.Length == 0 && !_settings.ExitWhenSourcesEnd) return;
        // A short replay can end before the rest of the host (the API server) has started; stopping the
        // host in the middle of its start fails the start. Stop once it is up.
        await WhenStartedAsync().ConfigureAwait(false);
        if (_stopping.IsCancellationRequested) return;
        if (faulted.Length > 0)
        {
            Environment.ExitCode = ServiceExitCodes.Failed;
            CaptureLog.SourcesFaulted(_logger, faulted.Length, pipeline.SourceContexts.Count,
                string.Join("; ", faulted.Select(c => $"{c.SourceName}: {c.StateDetail?.TrimEnd('.')}")), ServiceExitCodes.Failed);
        }
        else
        {
            _logger.LogInformation("Every source has ended; stopping (set Capture:ExitWhenSourcesEnd to false to keep running).");
        }
        _lifetime.StopApplication();
    }

    private async Task WatchWriterAsync(CapturePipeline pipeline)
    {
        var failed = pipeline.WriterFailed;
        await Task.WhenAny(failed, Task.Delay(Timeout.Infinite, _stopping.Token)).ConfigureAwait(false);
        if (!failed.IsCompleted) return;
        await WhenStartedAsync().ConfigureAwait(false);
        _logger.LogCritical("The store writer failed ({Message}); stopping so a supervisor can restart the capture.", failed.Result.Message);
        Environment.ExitCode = ServiceExitCodes.Failed;
        _lifetime.StopApplication();
    }

    private Task WhenStartedAsync()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        _stopping.Token.Register(() => started.TrySetResult());
        return started.Task;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_pipeline is null) return;
        var pipeline = _pipeline;
        CaptureEvent Stopped()
        {
            var frames = pipeline.SourceContexts.Sum(c => c.Counters.Frames);
            return new CaptureEvent(NowNs(), CaptureEventKind.Stopped, null, frames, $"Capture stopped after reading {frames} frames.");
        }
        // Stop joins threads: keep it off the caller's thread.
        await Task.Run(() => pipeline.Stop(Stopped), CancellationToken.None).ConfigureAwait(false);
        _stats?.LogFinal();
        // Claims completeness only when the counts prove it; otherwise says what was lost (ARCHITECTURE.md invariant 4).
        var outcome = pipeline.Outcome();
        _logger.Log(outcome.IsComplete ? LogLevel.Information : LogLevel.Warning,
            "Stopped: {Outcome}; committed seq {Seq}.", outcome.Describe(), _journal!.CommittedSeq);
    }

    private long NowNs() => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    public void Dispose()
    {
        _pipeline?.Dispose();
        _journal?.Dispose();
        _stopping.Dispose();
    }
}
