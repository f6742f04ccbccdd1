using CanMesh.Capture.Configuration;
using CanMesh.Frames;

namespace CanMesh.Capture.Sources.Sim;

/// <summary>
/// Synthetic frames for demos and benchmarks on machines without CAN hardware: identifiers, lengths,
/// extended and FD shares as configured, payloads from a seeded generator so runs repeat. Paced to
/// <see cref="SimSettings.FramesPerSecond"/> by the wall clock (0: as fast as the queue takes them). Like a
/// file, it waits while the queue is full: a generator loses nothing by waiting, so nothing is dropped.
/// </summary>
public sealed class SimSource : IFrameSource
{
    private static readonly byte[] FdLengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];
    private readonly SimSettings _settings;

    public SimSource(string name, SimSettings settings)
    {
        Name = name;
        _settings = settings;
    }

    public string Name { get; }
    public string Kind => "sim";
    public FrameOrigin Origin => FrameOrigin.Simulation;

    public void Run(FrameSourceContext context, CancellationToken stopping)
    {
        var interfaceId = context.ResolveInterface(Name);
        var random = new XorShift(_settings.Seed);
        var time = context.Time;
        var started = time.GetTimestamp();
        var startNs = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        var rate = _settings.FramesPerSecond;
        var limit = _settings.Count > 0 ? _settings.Count : long.MaxValue;
        long generated = 0;
        // Small batches at low rates keep latency down; full batches when flooding.
        var perBatch = rate <= 0 ? context.Batches.BatchCapacity : (int)Math.Clamp(rate / 100, 1, context.Batches.BatchCapacity);

        while (!stopping.IsCancellationRequested && generated < limit)
        {
            if (rate > 0)
            {
                var due = (long)(time.GetElapsedTime(started).TotalSeconds * rate);
                if (due <= generated)
                {
                    var wait = TimeSpan.FromSeconds((generated + perBatch - due) / rate);
                    stopping.WaitHandle.WaitOne(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait);
                    continue;
                }
            }
            var batch = context.Batches.Rent();
            var count = (int)Math.Min(perBatch, limit - generated);
            var nowNs = rate > 0
                ? (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100
                : startNs + generated * 25_000; // flooding: a 40k frames/s bus's spacing, without a clock call per batch
            for (var i = 0; i < count; i++)
            {
                ref var frame = ref batch.Append();
                Fill(ref frame, interfaceId, nowNs + i * 1_000, ref random);
            }
            generated += count;
            context.Submit(batch);
        }
    }

    private void Fill(ref CanFrame frame, ushort interfaceId, long timestampNs, ref XorShift random)
    {
        frame.TimestampNs = timestampNs;
        frame.InterfaceId = interfaceId;
        var span = (ulong)(_settings.IdMax - _settings.IdMin) + 1;
        frame.Id = _settings.IdMin + (uint)(random.Next() % span);
        if (_settings.ExtendedShare > 0 && random.NextDouble() < _settings.ExtendedShare) frame.Flags |= CanFrameFlags.Extended;
        else frame.Id &= CanFrame.MaxStandardId;
        if (_settings.FdShare > 0 && random.NextDouble() < _settings.FdShare)
        {
            frame.Flags |= CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch;
            frame.Length = FdLengths[random.Next() % (ulong)FdLengths.Length];
        }
        else
        {
            frame.Length = (byte)(_settings.PayloadMin + (int)(random.Next() % (ulong)(_settings.PayloadMax - _settings.PayloadMin + 1)));
        }
        var data = frame.Data;
        for (var i = 0; i < data.Length; i += 8)
        {
            var word = random.Next();
            for (var j = i; j < data.Length && j < i + 8; j++, word >>= 8) data[j] = (byte)word;
        }
    }

    /// <summary>A small, fast, seedable generator; System.Random's shared instance is not for a hot loop's determinism.</summary>
    private struct XorShift(int seed)
    {
        private ulong _state = (ulong)seed * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL;

        public ulong Next()
        {
            var x = _state;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            _state = x;
            return x;
        }

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    }
}
