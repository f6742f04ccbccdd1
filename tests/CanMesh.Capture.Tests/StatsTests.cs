using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Stats;
using CanMesh.Capture.Tests.Infrastructure;
using CanMesh.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Capture.Tests;

public sealed class StatsTests
{
    /// <summary>A clock the test moves: rates become exact numbers instead of timings of a busy machine.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerSecond;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private sealed class LineLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    [Fact]
    public void The_last_stats_line_shows_each_sources_rate_averaged_over_the_run()
    {
        using var temp = new TempFolder();
        using var journal = FrameJournal.Open(new StoreSettings { Path = temp.Database });
        var clock = new ManualClock();
        var source = new ManualSource("manual0");
        using var pipeline = new CapturePipeline(journal, [source], new PipelineSettings { CommitMaxFrames = 100 }, NullLoggerFactory.Instance, clock);
        pipeline.Start();
        var collector = new CaptureStatsCollector(pipeline, clock);
        var logger = new LineLogger();
        var stats = new StatsLogger(collector, logger);

        source.Send(1000);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pipeline.SourceContexts[0].Counters.Frames < 1000 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1000, collector.Collect().Sources[0].FramesPerSecond);

        // The source reads nothing more; it stops 4 s into the run, and the last line is written 6 s later.
        clock.Advance(TimeSpan.FromSeconds(3));
        pipeline.Stop();
        clock.Advance(TimeSpan.FromSeconds(6));
        stats.LogFinal();

        Assert.Contains("stats manual0 (manual, stopped): frames=1000 rate=250/s ", logger.Lines[0]);
        // A rate since the previous line would say the run read nothing.
        Assert.Equal(0, collector.Collect().Sources[0].FramesPerSecond);
    }
}
