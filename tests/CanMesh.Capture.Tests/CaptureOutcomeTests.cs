using CanMesh.Capture.Pipeline;

namespace CanMesh.Capture.Tests;

/// <summary>The service's last line claims completeness only when the counts prove it (issue 8).</summary>
public sealed class CaptureOutcomeTests
{
    [Fact]
    public void Every_frame_read_committed_and_nothing_dropped_is_complete()
    {
        var outcome = new CaptureOutcome(FramesRead: 1000, FramesCommitted: 1000, QueueDrops: 0, StoreDrops: 0, KernelDrops: 0);
        Assert.True(outcome.IsComplete);
        Assert.Equal("every frame read is committed (1000 frames)", outcome.Describe());
    }

    [Theory]
    [InlineData(1000, 600, 400, 0, 0, "frames were lost: 400 dropped by a full queue; 600 of 1000 frames read are committed")]
    [InlineData(1000, 900, 0, 100, 0, "frames were lost: 100 refused by the store; 900 of 1000 frames read are committed")]
    [InlineData(1000, 1000, 0, 0, 7, "frames were lost: 7 dropped by the kernel before they could be read; 1000 of 1000 frames read are committed")]
    [InlineData(1000, 990, 0, 0, 0, "frames were lost: 10 read but neither committed nor counted as dropped; 990 of 1000 frames read are committed")]
    [InlineData(1000, 850, 100, 50, 3, "frames were lost: 100 dropped by a full queue, 50 refused by the store, 3 dropped by the kernel before they could be read; 850 of 1000 frames read are committed")]
    public void Any_loss_is_named_with_its_count_and_never_called_complete(long read, long committed, long queue, long store, long kernel, string expected)
    {
        var outcome = new CaptureOutcome(read, committed, queue, store, kernel);
        Assert.False(outcome.IsComplete);
        Assert.Equal(expected, outcome.Describe());
        Assert.DoesNotContain("every frame read is committed", outcome.Describe());
    }
}
