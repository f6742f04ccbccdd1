using CanMesh.Forwarder.Postgres;
using CanMesh.Frames;

namespace CanMesh.Forwarder.Tests;

/// <summary>How a frame becomes a frames row: timestamps split into timestamptz microseconds and the nanoseconds beyond, flags packed, days numbered.</summary>
public sealed class FrameCopyTests
{
    private const long NanosecondsPerDay = 86_400_000_000_000;

    [Theory]
    [InlineData(0L, 0L, 0)]
    [InlineData(1_234_567_891L, 1_234_567L, 891)]
    [InlineData(1_700_000_000_123_456_789L, 1_700_000_000_123_456L, 789)]
    [InlineData(5_000L, 5L, 0)]
    [InlineData(-5_000L, -5L, 0)]
    [InlineData(-1L, -1L, 999)]
    [InlineData(-999L, -1L, 1)]
    [InlineData(-1_000L, -1L, 0)]
    [InlineData(-1_001L, -2L, 999)]
    [InlineData(long.MaxValue, 9_223_372_036_854_775L, 807)]
    [InlineData(long.MinValue, -9_223_372_036_854_776L, 192)]
    public void SplitTimestamp_rounds_down_to_the_microsecond_and_keeps_the_rest(long timestampNs, long micros, int extraNs)
    {
        Assert.Equal((micros, (short)extraNs), FrameCopy.SplitTimestamp(timestampNs));
    }

    [Fact]
    public void SplitTimestamp_gives_back_the_exact_timestamp_with_the_rest_from_0_to_999()
    {
        var random = new Random(9);
        for (var i = 0; i < 10_000; i++)
        {
            var timestampNs = random.NextInt64(long.MinValue / 2, long.MaxValue / 2);
            var (micros, extra) = FrameCopy.SplitTimestamp(timestampNs);
            Assert.InRange(extra, (short)0, (short)999);
            Assert.Equal(timestampNs, micros * 1000 + extra);
        }
    }

    [Fact]
    public void FlagsColumn_packs_flags_len8_dlc_and_the_fd_digits_other_bits()
    {
        Assert.Equal(0, FrameCopy.FlagsColumn(new CanFrame()));
        Assert.Equal(0x01, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Extended }));
        Assert.Equal(0x02, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Remote, Length = 8 }));
        Assert.Equal(0x04, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Error, Length = 8 }));
        Assert.Equal(0x39, FrameCopy.FlagsColumn(new CanFrame
        {
            Flags = CanFrameFlags.Extended | CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch | CanFrameFlags.ErrorStateIndicator,
            Length = 64,
        }));
        // A classic 8-byte frame sent with DLC 12: bits 8-11.
        Assert.Equal(0xC00, FrameCopy.FlagsColumn(new CanFrame { Length = 8, Len8Dlc = 12 }));
        Assert.Equal(0xF00, FrameCopy.FlagsColumn(new CanFrame { Length = 8, Len8Dlc = 15 }));
        // An FD frame logged with digit 1 (FDF clear) or with bit 3 set: bits 12-15, so export writes the same digit.
        Assert.Equal(0x4018, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, FdFlagsExtra = CanFdFlagsExtra.FdfClear }));
        Assert.Equal(0xC008, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Fd, FdFlagsExtra = CanFdFlagsExtra.FdfClear | CanFdFlagsExtra.Bit3 }));
    }

    [Fact]
    public void FlagsColumn_matches_the_generated_boolean_columns_bits()
    {
        // frames' generated columns read these bits: is_extended 1, is_remote 2, is_error_frame 4, is_fd 8, bitrate_switch 16, esi 32.
        Assert.Equal(1, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Extended }) & 1);
        Assert.Equal(2, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Remote }) & 2);
        Assert.Equal(4, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Error }) & 4);
        Assert.Equal(8, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Fd }) & 8);
        Assert.Equal(16, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch }) & 16);
        Assert.Equal(32, FrameCopy.FlagsColumn(new CanFrame { Flags = CanFrameFlags.Fd | CanFrameFlags.ErrorStateIndicator }) & 32);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(NanosecondsPerDay - 1, 0L)]
    [InlineData(NanosecondsPerDay, 1L)]
    [InlineData(166_000_000_000L, 0L)]
    [InlineData(1_700_000_000_000_000_000L, 19_675L)]
    [InlineData(-1L, -1L)]
    [InlineData(-NanosecondsPerDay + 1, -1L)]
    [InlineData(-NanosecondsPerDay, -1L)]
    [InlineData(-NanosecondsPerDay - 1, -2L)]
    [InlineData(long.MinValue, -106_752L)]
    [InlineData(long.MaxValue, 106_751L)]
    public void DayOf_numbers_utc_days_from_1970_rounding_down_before_it(long timestampNs, long day)
    {
        Assert.Equal(day, DayPartitions.DayOf(timestampNs));
    }

    [Fact]
    public void DayOf_puts_every_timestamp_inside_its_days_partition_bounds()
    {
        var random = new Random(11);
        for (var i = 0; i < 10_000; i++)
        {
            var timestampNs = random.NextInt64(long.MinValue, long.MaxValue);
            var day = DayPartitions.DayOf(timestampNs);
            // The partition FOR VALUES FROM (day) TO (day + 1): from inclusive, to exclusive.
            Assert.True((Int128)day * NanosecondsPerDay <= timestampNs && timestampNs < ((Int128)day + 1) * NanosecondsPerDay,
                $"{timestampNs} ns put on day {day}");
        }
    }
}
