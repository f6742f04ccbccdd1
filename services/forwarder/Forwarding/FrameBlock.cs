using CanMesh.Client.Decoding;
using CanMesh.Frames;

namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// The frames of one PostgreSQL transaction: several subscription batches of one capture, copied out of the
/// subscription's decode buffer (which the next read refills). Owned by one side at a time: filled by
/// <see cref="BlockReader"/>, written and acknowledged by <see cref="BlockWriter"/>, then reused.
/// </summary>
internal sealed class FrameBlock
{
    private readonly CanFrame[] _frames;
    private readonly ulong[] _seqs;
    private readonly string[] _interfaces;
    private readonly HashSet<long> _days = [];

    public FrameBlock(int capacity)
    {
        _frames = new CanFrame[capacity];
        _seqs = new ulong[capacity];
        _interfaces = new string[capacity];
    }

    public int Capacity => _frames.Length;

    public int Count { get; private set; }

    /// <summary>The capture database the frames come from.</summary>
    public string CaptureId { get; private set; } = "";

    /// <summary>Every seq up to here was considered: written to PostgreSQL once this block commits.</summary>
    public ulong ThroughSeq { get; private set; }

    /// <summary>The capture's committed seq as of the last batch: what was left to forward then.</summary>
    public ulong CommittedSeq { get; private set; }

    /// <summary>When the first batch went in (Stopwatch ticks): the block commits by then plus Forwarder:Commit:MaxDelay.</summary>
    public long StartedTicks { get; private set; }

    public ReadOnlySpan<CanFrame> Frames => _frames.AsSpan(0, Count);

    public ReadOnlySpan<ulong> Seqs => _seqs.AsSpan(0, Count);

    /// <summary>Each frame's interface name (the stream's ids are per stream; names are what PostgreSQL keys on).</summary>
    public ReadOnlySpan<string> Interfaces => _interfaces.AsSpan(0, Count);

    /// <summary>The UTC days (see <see cref="Postgres.DayPartitions.DayOf"/>) the frames fall on.</summary>
    public IReadOnlyCollection<long> Days => _days;

    public bool IsEmpty => Count == 0 && ThroughSeq == 0;

    /// <summary>Room for a whole batch of <paramref name="frames"/>?</summary>
    public bool HasRoomFor(int frames) => Count + frames <= Capacity;

    public void Reset(string captureId)
    {
        Count = 0;
        ThroughSeq = 0;
        CommittedSeq = 0;
        CaptureId = captureId;
        _days.Clear();
    }

    /// <summary>Copies a decoded batch in; <paramref name="names"/> maps its interface ids to names.</summary>
    public void Append(DecodedFrameBatch batch, IReadOnlyDictionary<uint, string> names, long nowTicks)
    {
        if (IsEmpty) StartedTicks = nowTicks;
        var frames = batch.Frames;
        var seqs = batch.Seqs;
        frames.CopyTo(_frames.AsSpan(Count));
        seqs.CopyTo(_seqs.AsSpan(Count));
        var lastDay = long.MinValue;
        string? lastName = null;
        uint lastId = uint.MaxValue;
        for (var i = 0; i < frames.Length; i++)
        {
            ref readonly var frame = ref frames[i];
            if (frame.InterfaceId != lastId)
            {
                lastId = frame.InterfaceId;
                lastName = names.TryGetValue(lastId, out var name) ? name : $"interface{lastId}";
            }
            _interfaces[Count + i] = lastName!;
            var day = Postgres.DayPartitions.DayOf(frame.TimestampNs);
            if (day != lastDay)
            {
                _days.Add(day);
                lastDay = day;
            }
        }
        Count += frames.Length;
        var through = Math.Max(batch.ThroughSeq, seqs.Length > 0 ? seqs[^1] : 0);
        ThroughSeq = Math.Max(ThroughSeq, through);
        CommittedSeq = Math.Max(CommittedSeq, batch.CommittedSeq);
    }
}
