using System.Collections.Concurrent;
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
            for (var i = 0; i < framesPerBatch && !batch.IsFull; i++) TestFrame.Fill(ref batch.Append(), iface, Produced++);
            context.Submit(batch);
        }
        Finished.Set();
    }
}

/// <summary>A source that hands over frames when the test says so (<see cref="Send"/>), from its own thread as sources do.</summary>
internal sealed class ManualSource(string name, FrameOrigin origin = FrameOrigin.File) : IFrameSource
{
    private readonly BlockingCollection<int> _requests = [];
    private long _produced;

    public string Name => name;
    public string Kind => "manual";
    public FrameOrigin Origin => origin;

    public void Send(int frames) => _requests.Add(frames);

    public void Run(FrameSourceContext context, CancellationToken stopping)
    {
        var iface = context.ResolveInterface(name);
        try
        {
            foreach (var count in _requests.GetConsumingEnumerable(stopping))
            {
                for (var left = count; left > 0;)
                {
                    var batch = context.Batches.Rent();
                    for (; left > 0 && !batch.IsFull; left--) TestFrame.Fill(ref batch.Append(), iface, _produced++);
                    context.Submit(batch);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>Frame number n of a test source: an 8-byte payload holding n, so stored frames can be told apart.</summary>
internal static class TestFrame
{
    public static void Fill(ref CanFrame frame, ushort iface, long n)
    {
        frame.InterfaceId = iface;
        frame.Id = (uint)(n % 0x7FF);
        frame.TimestampNs = 1_700_000_000_000_000_000 + n;
        frame.Length = 8;
        BitConverter.TryWriteBytes(frame.Data, n);
    }
}
