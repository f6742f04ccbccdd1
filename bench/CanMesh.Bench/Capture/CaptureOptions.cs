using CanMesh.Capture.Pipeline;
using CanMesh.Store;

namespace CanMesh.Bench.Capture;

/// <summary>What to run: how many frames, of which kind, through which settings, how often.</summary>
internal sealed record CaptureOptions
{
    public long Frames { get; init; } = 2_000_000;
    public int Runs { get; init; } = 3;

    /// <summary>Frames of the unmeasured first run that lets the JIT tier up; 0 skips it.</summary>
    public long WarmupFrames { get; init; } = 500_000;

    public SynchronousMode Synchronous { get; init; } = SynchronousMode.Full;
    public PipelineSettings Pipeline { get; init; } = new();
    public int PoolFrames { get; init; } = 65_536;
    public double ExtendedShare { get; init; } = 0.25;
    public double FdShare { get; init; }

    /// <summary>Where the databases go (one fresh file per run, deleted afterwards).</summary>
    public required string Directory { get; init; }

    /// <summary>Append straight to a JournalWriter on one thread: no source, queue or writer loop.</summary>
    public bool WriterOnly { get; init; }

    public bool KeepDatabases { get; init; }

    public string Describe() =>
        $"{Frames:N0} frames x {Runs} runs (warm-up {WarmupFrames:N0}), synchronous={Synchronous.ToString().ToUpperInvariant()}, " +
        $"commit every {Pipeline.CommitMaxFrames:N0} frames, batches of {Pipeline.BatchFrames}, queue {Pipeline.QueueCapacityFrames:N0} frames, " +
        $"pool {PoolFrames:N0} frames ({ExtendedShare:P0} extended, {FdShare:P0} FD), {(WriterOnly ? "JournalWriter alone" : "whole pipeline")}, in {Directory}";
}
