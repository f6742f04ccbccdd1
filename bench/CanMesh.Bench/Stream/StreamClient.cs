using System.Diagnostics;
using CanMesh.Client;

namespace CanMesh.Bench.Stream;

/// <summary>
/// Variant c, the full path: a subscriber as a real .NET client is written: CanMesh.Client (Grpc.Net.Client
/// over the Unix socket), a Subscription from after_seq 0 read with ReadDecodedAsync (the custom decoder:
/// no object per frame), each frame checked (dense seq, checksum) and an ack every
/// <see cref="StreamOptions.AckInterval"/>, until all N frames have arrived. A fresh client (connection) per
/// run. Bytes read from the socket are counted by wrapping the channel's connect callback.
/// </summary>
internal static class StreamClient
{
    public static async Task<StreamRun> RunAsync(CaptureServerProcess server, StreamDatabase db, int batchFrames, StreamOptions options, string subscriber, long protobufBytes)
    {
        var wire = new CountingStream.Counter();
        var clientOptions = new CaptureClientOptions
        {
            ConfigureHandler = handler =>
            {
                var connect = handler.ConnectCallback!;
                handler.ConnectCallback = async (context, cancellationToken) => new CountingStream(await connect(context, cancellationToken).ConfigureAwait(false), wire);
                if (options.ClientStreamWindow is { } window) handler.InitialHttp2StreamWindowSize = window;
            },
        };
        await using var client = new CaptureClient(server.SocketPath, clientOptions);
        var check = new SubscriberCheck(db.Frames);
        ServerEncodeVariant.Collect();
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var serverCpuBefore = server.CpuSeconds();
        var firstBatch = double.NaN;
        long batches = 0;
        var clock = Stopwatch.StartNew();
        double seconds, clientCpu, serverCpu;
        long allocated;
        await using (var subscription = client.Subscribe(new SubscriptionOptions
        {
            Subscriber = subscriber,
            From = SubscriptionStart.AfterSeq(0),
            MaxBatchFrames = batchFrames,
        }))
        {
            var lastAck = TimeSpan.Zero;
            while (!check.Done)
            {
                var batch = await subscription.ReadDecodedAsync().ConfigureAwait(false);
                if (batches++ == 0) firstBatch = clock.Elapsed.TotalSeconds;
                check.Consume(batch);
                if (options.AckInterval > TimeSpan.Zero && clock.Elapsed - lastAck >= options.AckInterval && batch.ThroughSeq > 0)
                {
                    subscription.Ack(batch);
                    lastAck = clock.Elapsed;
                }
            }
            clock.Stop();
            seconds = clock.Elapsed.TotalSeconds;
            clientCpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            serverCpu = server.CpuSeconds() - serverCpuBefore;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        }
        check.Verify(db.Expected);
        return new StreamRun
        {
            Variant = "c",
            BatchFrames = batchFrames,
            Frames = check.Received,
            Seconds = seconds,
            PayloadBytes = check.PayloadBytes,
            ProtobufBytes = protobufBytes,
            WireBytes = wire.Bytes,
            FirstBatchSeconds = firstBatch,
            ClientCpuSeconds = clientCpu,
            ServerCpuSeconds = serverCpu,
            AllocatedBytes = allocated,
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
            Batches = batches,
            LoadAverage = StreamReport.LoadAverage(),
        };
    }

    /// <summary>Counts the bytes the HTTP/2 connection reads from the socket.</summary>
    private sealed class CountingStream : System.IO.Stream
    {
        private readonly System.IO.Stream _inner;
        private readonly Counter _counter;

        public CountingStream(System.IO.Stream inner, Counter counter)
        {
            _inner = inner;
            _counter = counter;
        }

        public sealed class Counter
        {
            private long _bytes;
            public long Bytes => Interlocked.Read(ref _bytes);
            public void Add(int n) => Interlocked.Add(ref _bytes, n);
        }

        public override bool CanRead => _inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => _inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(_inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.WriteAsync(buffer, offset, count, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => _inner.DisposeAsync();

        private int Count(int n)
        {
            _counter.Add(n);
            return n;
        }
    }
}
