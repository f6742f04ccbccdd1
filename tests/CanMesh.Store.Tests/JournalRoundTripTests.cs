using CanMesh.Frames;

namespace CanMesh.Store.Tests;

public sealed class JournalRoundTripTests
{
    [Fact]
    public void Every_kind_of_frame_reads_back_identical_with_dense_seqs()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        var can0 = journal.Interfaces.Resolve("can0");
        var can1 = journal.Interfaces.Resolve("can1");
        var frames = TestFrames.EveryKind(can0).Concat(TestFrames.EveryKind(can1)).ToArray();

        using (var writer = journal.CreateWriter())
        {
            writer.Append(frames);
            Assert.Equal(frames.Length, writer.Commit(1));
        }

        using var reader = journal.OpenReader();
        var stored = reader.ReadAll();
        Assert.Equal(Enumerable.Range(1, frames.Length).Select(i => (long)i), stored.Select(s => s.Seq));
        for (var i = 0; i < frames.Length; i++)
        {
            Assert.True(frames[i].ContentEquals(stored[i].Frame), $"frame {i}: wrote {frames[i]}, read {stored[i].Frame}");
        }
    }

    [Fact]
    public void The_database_holds_the_compact_row_an_independent_reader_sees()
    {
        using var temp = new TempStore();
        using (var journal = temp.Open())
        {
            var can0 = journal.Interfaces.Resolve("can0");
            using var writer = journal.CreateWriter();
            writer.Append(TestFrames.EveryKind(can0));
            writer.Commit(1);
        }

        var rows = temp.Query("SELECT seq, ts_ns, iface, can_id, flags, hex(data) FROM frames ORDER BY seq");
        Assert.Equal(11, rows.Count);
        Assert.Equal(new object?[] { 1L, TestFrames.BaseNs, 1L, 0x123L, 0L, "DEADBEEF" }, rows[0]);
        // Remote, extended, requested length 6 in bits 16-23 of flags, no data.
        Assert.Equal(new object?[] { 5L, TestFrames.BaseNs + 4, 1L, 0x285L, (6L << 16) | 3, "" }, rows[4]);
        // len8_dlc 0xC in bits 8-11.
        Assert.Equal(0xC00L, rows[10][4]);
        Assert.Equal(Convert.ToHexString(Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 3)).ToArray()), rows[7][5]);
    }

    [Fact]
    public void The_fd_flags_digits_extra_bits_round_trip_in_bits_12_to_15_and_old_rows_read_back_unchanged()
    {
        using var temp = new TempStore();
        CanFrame[] frames;
        using (var journal = temp.Open())
        {
            var can0 = journal.Interfaces.Resolve("can0");
            frames =
            [
                TestFrames.Make(can0, 0x100, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, [0xAA], TestFrames.BaseNs),
                TestFrames.Make(can0, 0x101, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch, [0xAA], TestFrames.BaseNs + 1),
                TestFrames.Make(can0, 0x102, CanFrameFlags.Fd | CanFrameFlags.ErrorStateIndicator, [], TestFrames.BaseNs + 2),
                TestFrames.Make(can0, 0x103, CanFrameFlags.Fd | CanFrameFlags.BitRateSwitch | CanFrameFlags.ErrorStateIndicator, [1, 2], TestFrames.BaseNs + 3),
            ];
            frames[1].FdFlagsExtra = CanFdFlagsExtra.FdfClear;                          // "##1"
            frames[2].FdFlagsExtra = CanFdFlagsExtra.Bit3;                              // "##E"
            frames[3].FdFlagsExtra = CanFdFlagsExtra.FdfClear | CanFdFlagsExtra.Bit3;   // "##B"
            using var writer = journal.CreateWriter();
            writer.Append(frames);
            writer.Commit(1);

            using var reader = journal.OpenReader();
            var stored = reader.ReadAll();
            for (var i = 0; i < frames.Length; i++)
            {
                Assert.True(frames[i].ContentEquals(stored[i].Frame), $"frame {i}: wrote {frames[i]}, read {stored[i].Frame}");
            }
        }

        // A frame without extra bits has exactly the row older versions wrote (FD 8 + BRS 16), so their rows read back
        // as they were; the extra bits sit in 12-15, where older rows always have 0.
        var flags = temp.Query("SELECT flags FROM frames ORDER BY seq").Select(r => (long)r[0]!).ToArray();
        Assert.Equal([0x18L, 0x4000 | 0x18L, 0x8000 | 0x28L, 0xC000 | 0x38L], flags);
    }

    [Fact]
    public void Nothing_is_visible_and_committed_seq_does_not_move_before_commit()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        var can0 = journal.Interfaces.Resolve("can0");
        using var writer = journal.CreateWriter();
        using var reader = journal.OpenReader();

        writer.Append(TestFrames.Sequence(can0, 100));
        Assert.Equal(0, journal.CommittedSeq);
        Assert.Empty(reader.ReadAll());

        writer.Commit(1);
        Assert.Equal(100, journal.CommittedSeq);
        Assert.Equal(100, reader.ReadAll().Count);
    }

    [Fact]
    public async Task Commit_signal_wakes_waiters_only_after_the_commit()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        var can0 = journal.Interfaces.Resolve("can0");
        using var writer = journal.CreateWriter();
        var wait = journal.Commits.WaitBeyondAsync(0, CancellationToken.None);

        writer.Append(TestFrames.Sequence(can0, 3));
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        writer.Commit(1);
        Assert.Equal(3, await wait.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Time_ranges_map_to_the_commits_that_can_hold_them()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        var can0 = journal.Interfaces.Resolve("can0");
        using (var writer = journal.CreateWriter())
        {
            // Three commits of 10 frames, 1 ms apart, each commit 10 ms long.
            for (var c = 0; c < 3; c++)
            {
                writer.Append(TestFrames.Sequence(can0, 10, TestFrames.BaseNs + c * 10_000_000L));
                writer.Commit(1);
            }
        }
        using var reader = journal.OpenReader();
        Assert.Equal([(11L, 20L)], reader.SeqRangesForTime(TestFrames.BaseNs + 12_000_000, TestFrames.BaseNs + 15_000_000));
        Assert.Equal([(1L, 30L)], reader.SeqRangesForTime(0, long.MaxValue));
        Assert.Empty(reader.SeqRangesForTime(TestFrames.BaseNs + 31_000_000, long.MaxValue));
    }

    [Fact]
    public void Read_returns_a_bounded_slice_in_seq_order()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        var can0 = journal.Interfaces.Resolve("can0");
        using (var writer = journal.CreateWriter())
        {
            writer.Append(TestFrames.Sequence(can0, 1000));
            writer.Commit(1);
        }
        using var reader = journal.OpenReader();
        var frames = new CanFrame[64];
        var seqs = new long[64];
        Assert.Equal(64, reader.Read(500, 1000, frames, seqs));
        Assert.Equal(Enumerable.Range(500, 64).Select(i => (long)i), seqs);
        Assert.Equal(10, reader.Read(991, 2000, frames, seqs));
        Assert.Equal(0, reader.Read(1001, 2000, frames, seqs));
    }
}
