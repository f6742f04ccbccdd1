using System.Buffers;
using System.Diagnostics;
using CanMesh.Bench.Capture;
using CanMesh.Capture.Api;
using CanMesh.Frames;
using CanMesh.Store;

namespace CanMesh.Bench.Stream;

/// <summary>
/// Variant a: what the server does per batch in SubscriptionSession.SendAsync, without a socket:
/// FrameReader.Read from SQLite, the filter and interface announcement, EncodedFrameBatch.Add, and the
/// gRPC framing (the 5-byte message prefix) + Encode into a buffer that is thrown away after each batch.
/// On one thread, timed in two parts: the read, and copy + encode.
/// </summary>
internal sealed class ServerEncodeVariant : IDisposable
{
    private readonly FrameJournal _journal;

    public ServerEncodeVariant(string databasePath) =>
        _journal = FrameJournal.Open(new StoreSettings { Path = databasePath, Synchronous = SynchronousMode.Normal });

    /// <summary>
    /// One pass over seq 1..<paramref name="frames"/>. With <paramref name="messages"/>, each message's protobuf
    /// bytes are kept (the exact bytes the server sends, for variant b).
    /// </summary>
    public StreamRun Run(long frames, int batchFrames, List<byte[]>? messages = null)
    {
        using var reader = _journal.OpenReader();
        var matcher = FrameMatcher.Create(null, _journal.Interfaces);
        var buffer = new CanFrame[batchFrames];
        var seqs = new long[batchFrames];
        var batch = new EncodedFrameBatch(batchFrames);
        var announced = new HashSet<ushort>();
        var sink = new DiscardingWriter(batchFrames * 100 + 4096);
        Collect();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = ThreadCpu.Seconds();
        long readTicks = 0, encodeTicks = 0, protobuf = 0, payload = 0, batches = 0;
        var next = 1L;
        var first = true;
        var clock = Stopwatch.StartNew();
        while (next <= frames)
        {
            var t0 = Stopwatch.GetTimestamp();
            var n = reader.Read(next, frames, buffer, seqs);
            var t1 = Stopwatch.GetTimestamp();
            if (n == 0) throw new InvalidOperationException($"FrameReader returned nothing at seq {next}.");
            batch.Clear();
            for (var i = 0; i < n; i++)
            {
                if (!matcher.Matches(buffer[i])) continue;
                if (announced.Add(buffer[i].InterfaceId)) batch.AddInterface(buffer[i].InterfaceId, _journal.Interfaces.NameOf(buffer[i].InterfaceId));
                batch.Add(seqs[i], buffer[i]);
                payload += buffer[i].IsRemote ? 0 : buffer[i].Length;
            }
            next = seqs[n - 1] + 1;
            batch.CommittedSeq = _journal.CommittedSeq;
            batch.ThroughSeq = next - 1;
            if (first) batch.CaptureId = _journal.CaptureId.ToString("D");
            first = false;
            sink.Reset();
            protobuf += WriteMessage(sink, batch);
            var t2 = Stopwatch.GetTimestamp();
            readTicks += t1 - t0;
            encodeTicks += t2 - t1;
            batches++;
            messages?.Add(sink.WrittenSpan[GrpcPrefixSize..].ToArray());
        }
        clock.Stop();
        var cpu = ThreadCpu.Seconds() - cpuBefore;
        return new StreamRun
        {
            Variant = "a",
            BatchFrames = batchFrames,
            Frames = next - 1,
            Seconds = clock.Elapsed.TotalSeconds,
            PayloadBytes = payload,
            ProtobufBytes = protobuf,
            ClientCpuSeconds = cpu,
            Part1Seconds = (double)readTicks / Stopwatch.Frequency,
            Part2Seconds = (double)encodeTicks / Stopwatch.Frequency,
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
            Batches = batches,
            LoadAverage = StreamReport.LoadAverage(),
        };
    }

    internal static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public void Dispose() => _journal.Dispose();

    /// <summary>An IBufferWriter over one reused array: what Kestrel's pipe would hold, minus the socket.</summary>
    private sealed class DiscardingWriter : IBufferWriter<byte>
    {
        private byte[] _buffer;
        private int _written;

        public DiscardingWriter(int capacity) => _buffer = new byte[capacity];

        public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

        public void Reset() => _written = 0;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_written);
        }

        private void Ensure(int sizeHint)
        {
            if (_buffer.Length - _written >= Math.Max(sizeHint, 1)) return;
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _written + sizeHint));
        }
    }

    private const int GrpcPrefixSize = 5;

    /// <summary>A gRPC length-prefixed message (not compressed, 4-byte big-endian length) as the server sends it; returns the message size.</summary>
    private static int WriteMessage(IBufferWriter<byte> sink, EncodedFrameBatch batch)
    {
        var size = batch.CalculateEncodedSize();
        var prefix = sink.GetSpan(GrpcPrefixSize);
        prefix[0] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)size);
        sink.Advance(GrpcPrefixSize);
        batch.Encode(sink, size);
        return size;
    }
}
