using System.Diagnostics;
using CanMesh.Bench.Capture;
using CanMesh.Client.Decoding;

namespace CanMesh.Bench.Stream;

/// <summary>
/// Variant b: the subscriber's side without a socket: the server's exact message bytes (kept from a pass of
/// variant a) decoded with CanMesh.Client's <see cref="FrameBatchDecoder"/> into one reused
/// <see cref="DecodedFrameBatch"/>, as the typed client's ReadDecodedAsync does, then the same
/// <see cref="SubscriberCheck"/> as the full path. One thread, timed in two parts: decoding, and the check loop.
/// </summary>
internal static class ClientDecodeVariant
{
    public static StreamRun Run(List<byte[]> messages, StreamDatabase db, int batchFrames)
    {
        var batch = new DecodedFrameBatch(batchFrames);
        var check = new SubscriberCheck(db.Frames);
        ServerEncodeVariant.Collect();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ThreadCpu.Seconds();
        long parseTicks = 0, checkTicks = 0, protobuf = 0;
        var clock = Stopwatch.StartNew();
        foreach (var message in messages)
        {
            var t0 = Stopwatch.GetTimestamp();
            FrameBatchDecoder.Decode(message, batch);
            var t1 = Stopwatch.GetTimestamp();
            check.Consume(batch);
            var t2 = Stopwatch.GetTimestamp();
            parseTicks += t1 - t0;
            checkTicks += t2 - t1;
            protobuf += message.Length;
        }
        clock.Stop();
        var cpu = ThreadCpu.Seconds() - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        check.Verify(db.Expected);
        return new StreamRun
        {
            Variant = "b",
            BatchFrames = batchFrames,
            Frames = check.Received,
            Seconds = clock.Elapsed.TotalSeconds,
            PayloadBytes = check.PayloadBytes,
            ProtobufBytes = protobuf,
            ClientCpuSeconds = cpu,
            Part1Seconds = (double)parseTicks / Stopwatch.Frequency,
            Part2Seconds = (double)checkTicks / Stopwatch.Frequency,
            AllocatedBytes = allocated,
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
            Batches = messages.Count,
            LoadAverage = StreamReport.LoadAverage(),
        };
    }
}
