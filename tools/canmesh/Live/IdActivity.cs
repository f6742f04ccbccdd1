using CanMesh.Frames;

namespace CanMesh.Cli.Live;

/// <summary>
/// What top shows, per (interface, id): how many frames, how fast lately, and the last payload with the bytes that
/// changed recently, as cansniffer does. Fed from the subscription's reader and read by the renderer: callers
/// lock on it. Times are <see cref="TimeProvider"/> timestamps of arrival here, not the frames' own (a replay's
/// recorded times may be years old and arrive all at once).
/// </summary>
internal sealed class IdActivity(TimeProvider time)
{
    /// <summary>How long a changed byte stays highlighted.</summary>
    public static readonly TimeSpan ChangeHighlight = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(string Interface, uint Id, bool Extended), IdRow> _rows = [];
    private readonly long _started = time.GetTimestamp();

    public long Frames { get; private set; }

    public void Add(in CanFrame frame, string interfaceName)
    {
        var key = (interfaceName, frame.Id, frame.IsExtended || frame.IsError);
        if (!_rows.TryGetValue(key, out var row))
        {
            row = new IdRow(interfaceName, frame.Id, key.Item3, time, _started);
            _rows.Add(key, row);
        }
        row.Add(in frame);
        Frames++;
    }

    /// <summary>The rows by interface, then id.</summary>
    public IReadOnlyList<IdRow> Rows() =>
        [.. _rows.Values.OrderBy(r => r.Interface, StringComparer.Ordinal).ThenBy(r => r.Extended).ThenBy(r => r.Id)];
}

/// <summary>One (interface, id) of <see cref="IdActivity"/>.</summary>
internal sealed class IdRow(string interfaceName, uint id, bool extended, TimeProvider time, long started)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);
    private const int Buckets = 10;

    private readonly byte[] _data = new byte[CanFrame.MaxFdLength];
    private readonly long[] _changedAt = new long[CanFrame.MaxFdLength];
    // Arrivals counted in buckets of RateWindow / Buckets: a sliding window without a timestamp per frame.
    private readonly long[] _bucketIds = new long[Buckets];
    private readonly long[] _bucketCounts = new long[Buckets];

    public string Interface => interfaceName;
    public uint Id => id;
    public bool Extended => extended;
    public long Count { get; private set; }
    public int Length { get; private set; }
    public CanFrameFlags Flags { get; private set; }
    public long LastSeen { get; private set; }
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, Length);

    public void Add(in CanFrame frame)
    {
        var now = time.GetTimestamp();
        var data = frame.ReadOnlyData;
        for (var i = 0; i < data.Length; i++)
        {
            // The first frame of an id changes nothing: there is nothing to compare it with.
            if (Count > 0 && (i >= Length || _data[i] != data[i])) _changedAt[i] = now;
            _data[i] = data[i];
        }
        Length = data.Length;
        Flags = frame.Flags;
        Count++;
        LastSeen = now;
        var bucket = BucketOf(now);
        var slot = (int)(bucket % Buckets);
        if (_bucketIds[slot] != bucket)
        {
            _bucketIds[slot] = bucket;
            _bucketCounts[slot] = 0;
        }
        _bucketCounts[slot]++;
    }

    /// <summary>Frames per second over the last few seconds (or since top started, if that is shorter).</summary>
    public double Rate()
    {
        var now = time.GetTimestamp();
        var current = BucketOf(now);
        long frames = 0;
        for (var slot = 0; slot < Buckets; slot++)
        {
            if (_bucketIds[slot] > current - Buckets && _bucketIds[slot] <= current) frames += _bucketCounts[slot];
        }
        var seconds = Math.Min(RateWindow.TotalSeconds, time.GetElapsedTime(started, now).TotalSeconds);
        return seconds > 0 ? frames / seconds : 0;
    }

    /// <summary>Whether byte <paramref name="index"/> changed within <see cref="IdActivity.ChangeHighlight"/>.</summary>
    public bool Changed(int index) =>
        _changedAt[index] != 0 && time.GetElapsedTime(_changedAt[index]) < IdActivity.ChangeHighlight;

    private long BucketOf(long timestamp) => time.GetElapsedTime(started, timestamp).Ticks / (RateWindow.Ticks / Buckets);
}
