
namespace CanMesh.Store.Tests;

public sealed class SeedViewAndSubscriberTests
{
    [Fact]
    public void Can_messages_view_shows_the_seed_columns_and_processed_follows_the_forwarder()
    {
        using var temp = new TempStore();
        using (var journal = temp.Open())
        {
            var can0 = journal.Interfaces.Resolve("can0");
            using var writer = journal.CreateWriter();
            writer.Append(TestFrames.EveryKind(can0));
            writer.Commit(1);
            journal.Subscribers.Save("forwarder", 3, retains: true, 1);
            journal.Subscribers.Save("flipper", 11, retains: false, 1);
        }

        var rows = temp.Query(
            "SELECT id, interface, can_id_hex, data_hex, is_extended, is_remote, is_error_frame, is_fd, bitrate_switch, dlc, processed, timestamp " +
            "FROM can_messages ORDER BY id");
        Assert.Equal(11, rows.Count);
        Assert.Equal(new object?[] { 1L, "can0", "123", "DEADBEEF", 0L, 0L, 0L, 0L, 0L, 4L, 1L }, rows[0][..11]);
        Assert.Equal(TestFrames.BaseNs / 1e9, (double)rows[0][11]!, 6);
        Assert.Equal(new object?[] { "1ABCDEF0", 1L, 8L, 1L }, new[] { rows[1][2], rows[1][4], rows[1][9], rows[1][10] });
        Assert.Equal(new object?[] { "00000285", "", 1L, 1L, 6L, 0L }, new[] { rows[4][2], rows[4][3], rows[4][4], rows[4][5], rows[4][9], rows[4][10] });
        Assert.Equal(new object?[] { "20000004", 1L }, new[] { rows[5][2], rows[5][6] });
        Assert.Equal(new object?[] { 1L, 1L, 64L }, new[] { rows[7][7], rows[7][8], rows[7][9] });
        Assert.Equal(3L, temp.Scalar("SELECT count(*) FROM can_messages WHERE processed"));
    }

    [Fact]
    public void A_watermark_never_moves_backwards_and_survives_a_restart()
    {
        using var temp = new TempStore();
        using (var journal = temp.Open())
        {
            journal.Subscribers.Save("forwarder", 100, retains: true, 1);
            journal.Subscribers.Save("forwarder", 40, retains: true, 2);
            Assert.Equal(100, journal.Subscribers.Find("forwarder")!.AckedSeq);
        }
        using (var journal = temp.Open())
        {
            var watermark = journal.Subscribers.Find("forwarder")!;
            Assert.Equal(100, watermark.AckedSeq);
            Assert.True(watermark.Retains);
            Assert.Null(journal.Subscribers.Find("nobody"));
        }
    }

    [Fact]
    public void Interface_numbers_are_durable_and_stable()
    {
        using var temp = new TempStore();
        using (var journal = temp.Open())
        {
            Assert.Equal(1, journal.Interfaces.Resolve("can0"));
            Assert.Equal(2, journal.Interfaces.Resolve("can1"));
            Assert.Equal(1, journal.Interfaces.Resolve("can0"));
        }
        using (var journal = temp.Open())
        {
            Assert.Equal(2, journal.Interfaces.Resolve("can1"));
            Assert.Equal(3, journal.Interfaces.Resolve("vcan0"));
            Assert.Equal("can0", journal.Interfaces.NameOf(1));
        }
    }

    [Fact]
    public void Events_are_written_in_the_transaction_of_the_frames_around_them()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        using var writer = journal.CreateWriter();
        writer.Append(TestFrames.Sequence(journal.Interfaces.Resolve("can0"), 5));
        writer.AppendEvent(new Events.CaptureEvent(7, Events.CaptureEventKind.QueueOverflow, "can0", 12, "dropped"));
        writer.Rollback();
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM events"));
        writer.AppendEvent(new Events.CaptureEvent(7, Events.CaptureEventKind.QueueOverflow, "can0", 12, "dropped"));
        writer.Commit(8);
        using var reader = journal.OpenReader();
        Assert.Equal(12, reader.SumEvents(Events.CaptureEventKind.QueueOverflow, "can0"));
        Assert.Equal(0, reader.SumEvents(Events.CaptureEventKind.QueueOverflow, "can1"));
    }
}
