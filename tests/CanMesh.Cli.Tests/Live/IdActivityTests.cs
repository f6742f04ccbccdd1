using CanMesh.Cli.Live;
using CanMesh.Frames;

namespace CanMesh.Cli.Tests.Live;

/// <summary>top's per-id model: counts, the sliding rate and which bytes changed lately.</summary>
public sealed class IdActivityTests
{
    [Fact]
    public void Changed_bytes_are_marked_until_the_highlight_fades()
    {
        var time = new ManualTime();
        var activity = new IdActivity(time);
        activity.Add(Frame(0x123, 0x11, 0x22, 0x33), "can0");
        var row = Assert.Single(activity.Rows());
        Assert.False(row.Changed(0) || row.Changed(1) || row.Changed(2), "the first frame of an id has nothing to differ from");

        time.Advance(TimeSpan.FromMilliseconds(100));
        activity.Add(Frame(0x123, 0x11, 0x99, 0x33), "can0");
        Assert.Equal([false, true, false], [row.Changed(0), row.Changed(1), row.Changed(2)]);
        Assert.Equal([0x11, 0x99, 0x33], row.Data.ToArray());

        time.Advance(IdActivity.ChangeHighlight);
        Assert.False(row.Changed(1));
    }

    [Fact]
    public void Rows_are_per_interface_and_id_sorted_with_counts_and_a_sliding_rate()
    {
        var time = new ManualTime();
        var activity = new IdActivity(time);
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            activity.Add(Frame(0x200, 1), "can1");
            activity.Add(Frame(0x100, 1), "can0");
            if (i % 10 == 0) activity.Add(Frame(0x100, 2), "can1");
        }

        var rows = activity.Rows();
        Assert.Equal([("can0", 0x100u, 50L), ("can1", 0x100u, 5L), ("can1", 0x200u, 50L)], rows.Select(r => (r.Interface, r.Id, r.Count)));
        Assert.Equal(105, activity.Frames);
        // 10 frames/s for 5 s, counted over the last 5 s window.
        Assert.InRange(rows[0].Rate(), 9, 11);

        // Silence: the window slides past the frames and the rate drops to 0.
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(0, rows[0].Rate());
    }

    private static CanFrame Frame(uint id, params byte[] data)
    {
        var frame = new CanFrame { Id = id, Length = (byte)data.Length };
        data.CopyTo(frame.Data);
        return frame;
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
