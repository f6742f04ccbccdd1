using CanMesh.Capture.Sources;
using CanMesh.Frames;

namespace CanMesh.Capture.Tests.Infrastructure;

/// <summary>
/// A source that hands over a fixed number of frames in fixed-size batches as fast as it can, and says
/// when it is done: for tests of what the pipeline does with what it is given. A live bus by default
/// (a full queue drops), or any other origin.
/// </summary>
internal sealed class BurstSource(string name, int batches, int framesPerBatch, FrameOrigin origin = FrameOrigin.LiveBus) : IFrameSource
{
    public string Name => name;
    public string Kind => "burst";
    public FrameOrigin Origin => origin;
    public ManualResetEventSlim Finished { get; } = new();
    public long Produced { get; private set; }

    public void Run(FrameSourceContext context, CancellationToken stopping)
    {
        var iface = context.ResolveInterface(name);
        for (var b = 0; b < batches && !stopping.IsCancellationRequested; b++)
        {
            var batch = context.Batches.Rent();
            for (var i = 0; i < framesPerBatch && !batch.IsFull; i++)
            {
                ref var frame = ref batch.Append();
                frame.InterfaceId = iface;
                frame.Id = (uint)(Produced % 0x7FF);
                frame.TimestampNs = 1_700_000_000_000_000_000 + Produced;
                frame.Length = 8;
                BitConverter.TryWriteBytes(frame.Data, Produced);
                Produced++;
            }
            context.Submit(batch);
        }
        Finished.Set();
    }
}
