using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;

namespace CanMesh.Capture.Api.Health;

/// <summary>
/// Whether the capture does its job right now, and if not, why: the verdict grpc.health.v1 reports.
/// A capture serves while its store writer commits and at least one source can still deliver frames.
/// </summary>
internal readonly record struct CaptureHealth(bool Serving, string Reason)
{
    public static readonly CaptureHealth Starting = new(false, "the capture is starting");
    public static readonly CaptureHealth Stopping = new(false, "the capture service is stopping");

    /// <param name="stallTimeout">How long one SQLite call of the writer may take before the writer counts as stuck.</param>
    public static CaptureHealth Of(CapturePipeline pipeline, TimeProvider time, TimeSpan stallTimeout)
    {
        if (pipeline.WriterFailed.IsCompleted)
        {
            return new(false, $"the store writer failed: {pipeline.WriterFailed.Result.Message}");
        }
        var callStarted = pipeline.WriterStoreCallStarted;
        if (callStarted != 0 && time.GetElapsedTime(callStarted) > stallTimeout)
        {
            return new(false, $"the store writer has been stuck in one SQLite call for more than {stallTimeout.TotalSeconds:0.#} s (a lock held by another process, or a hung disk)");
        }
        if (pipeline.WriterFailure is { } failure)
        {
            return new(false, $"writes to the capture database are failing and frames are dropped: {failure}");
        }
        var live = pipeline.SourceContexts.Count(c => c.State is not (SourceState.Finished or SourceState.Faulted or SourceState.Stopped));
        if (live == 0)
        {
            return new(false, "every source has ended or faulted: nothing more will be captured");
        }
        return new(true, "capturing");
    }
}
