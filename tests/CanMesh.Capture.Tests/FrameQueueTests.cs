using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Frames;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanMesh.Capture.Tests;

public sealed class FrameQueueTests
{
    private sealed class OneInterface : IInterfaceResolver
    {
        public ushort Resolve(string interfaceName) => 1;
    }

    /// <summary>
    /// Sources that outlive the stop (more of them than cores, so some are always preempted somewhere in
    /// Submit) race the queue's completion. Every frame a source counted as read must be either read by the
    /// store writer or counted as a queue drop: a batch accepted after the writer saw the queue finished
    /// would be lost without a trace.
    /// </summary>
    [Fact]
    public void Completion_and_writes_agree_every_frame_counted_as_read_is_read_or_counted_as_dropped()
    {
        const int Writers = 8;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        for (var round = 0; round < 150 && DateTime.UtcNow < deadline; round++)
        {
            var queue = new FrameQueue(1 << 20);
            var pool = new FrameBatchPool(16, 1 << 16);
            var contexts = Enumerable.Range(0, Writers)
                .Select(i => new FrameSourceContext($"w{i}", pool, queue.Writer, new OneInterface(), _ => { }, NullLogger.Instance, TimeProvider.System))
                .ToArray();
            using var stop = new ManualResetEventSlim();
            var writers = contexts.Select(context => new Thread(() =>
            {
                while (!stop.IsSet)
                {
                    var batch = pool.Rent();
                    while (!batch.IsFull) batch.Append().Length = 1;
                    context.Submit(batch);
                }
            })).ToArray();
            foreach (var writer in writers) writer.Start();

            long read = 0;
            var reader = new Thread(() =>
            {
                // The store writer's order: take a batch, then ask whether the queue is finished.
                while (true)
                {
                    if (queue.Reader.TryRead(TimeSpan.FromMilliseconds(1), out var batch))
                    {
                        read += batch!.Count;
                        pool.Return(batch);
                    }
                    if (queue.Reader.IsFinished) break;
                }
            });
            reader.Start();
            Thread.Sleep(round % 5);
            queue.Writer.Complete();
            Assert.True(reader.Join(TimeSpan.FromSeconds(30)), "the reader never saw the end of the queue");
            stop.Set();
            foreach (var writer in writers) Assert.True(writer.Join(TimeSpan.FromSeconds(30)));

            var counted = contexts.Sum(c => c.Counters.Frames);
            var dropped = contexts.Sum(c => c.Counters.QueueDrops);
            Assert.True(counted == read + dropped,
                $"round {round}: sources counted {counted} frames read, the reader read {read} and {dropped} were counted as dropped: " +
                $"{counted - read - dropped} lost without a count");
        }
    }
}
