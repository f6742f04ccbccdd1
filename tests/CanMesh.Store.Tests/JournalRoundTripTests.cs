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
