using CanMesh.Store.Events;
using CanMesh.Store.Subscribers;
using CanMesh.Store.Writing;

namespace CanMesh.Store.Tests;

/// <summary>Subscribers forgotten after a time without a stream, and removed on request.</summary>
public sealed class SubscriberRemovalTests
{
    private const long StartNs = TestFrames.BaseNs;
    private static readonly long TwoHoursLater = StartNs + 2 * 3600_000_000_000L;

    [Fact]
    public void Forgetting_takes_only_subscribers_that_do_not_retain_have_no_stream_and_were_idle_long_enough()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        using var writer = journal.CreateWriter();
        journal.Subscribers.Save("view", 10, retains: false, StartNs);
        journal.Subscribers.Save("forwarder", 10, retains: true, StartNs);
        journal.Subscribers.Save("open-view", 10, retains: false, StartNs);
        journal.Subscribers.Save("recent-view", 10, retains: false, TwoHoursLater - 60_000_000_000L);
        writer.Commit(StartNs);
        var stream = journal.Subscribers.Attach("open-view");

        var forgotten = journal.Subscribers.ForgetIdle(TwoHoursLater, TimeSpan.FromHours(1));

        Assert.Equal(["view"], forgotten.Select(w => w.Name));
        // Readers see it gone at once; the table loses the row with the writer's next commit, with its record.
        Assert.Null(journal.Subscribers.Find("view"));
        Assert.Equal(1, temp.Scalar("SELECT count(*) FROM subscribers WHERE name = 'view'"));
        Assert.True(writer.HasStagedWrites);
        writer.Commit(TwoHoursLater);
        Assert.Equal(["forwarder", "open-view", "recent-view"], temp.Query("SELECT name FROM subscribers ORDER BY name").Select(r => (string)r[0]!));
        var events = temp.Query("SELECT kind, count, first_seq, last_seq, message FROM events");
        Assert.Single(events);
        Assert.Equal(new object?[] { "SubscribersForgotten", 1L, null, null }, events[0][..4]);
        Assert.Contains("Forgot 1 non-retaining subscriber with no stream open for 1h (Store:Subscribers:ForgetAfter): view.", (string)events[0][4]!);

        // A pass that finds nothing writes nothing.
        Assert.Empty(journal.Subscribers.ForgetIdle(TwoHoursLater, TimeSpan.FromHours(1)));
        Assert.False(writer.HasStagedWrites);

        // Once its stream ends, the idle one goes too; the retaining one never does.
        stream.Dispose();
        Assert.Equal(["open-view"], journal.Subscribers.ForgetIdle(TwoHoursLater, TimeSpan.FromHours(1)).Select(w => w.Name));
        writer.Commit(TwoHoursLater);
        Assert.Equal(["forwarder", "recent-view"], temp.Query("SELECT name FROM subscribers ORDER BY name").Select(r => (string)r[0]!));
        Assert.Equal(2, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'SubscribersForgotten'"));
    }

    [Fact]
    public void A_forgotten_subscriber_that_comes_back_starts_as_a_new_one_even_within_the_same_transaction()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        using var writer = journal.CreateWriter();
        journal.Subscribers.Save("view", 500, retains: false, StartNs);
        writer.Commit(StartNs);

        journal.Subscribers.ForgetIdle(TwoHoursLater, TimeSpan.FromHours(1));
        // The session that comes back saves its new watermark before the writer has committed the deletion:
        // the old row must not lend it its ack (an upsert keeps the higher one).
        journal.Subscribers.Save("view", 0, retains: false, TwoHoursLater);
        Assert.Equal(0, journal.Subscribers.Find("view")!.AckedSeq);
        writer.Commit(TwoHoursLater);

        Assert.Equal(new object?[] { 0L, TwoHoursLater }, temp.Query("SELECT acked_seq, updated_ns FROM subscribers WHERE name = 'view'")[0]);
        Assert.Equal(1, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'SubscribersForgotten'"));
    }

    [Fact]
    public void Removing_a_retaining_subscriber_records_it_and_releases_what_it_held_back_from_retention()
    {
        using var temp = new TempStore();
        using var journal = temp.Open(new RetentionSettings { MaxAge = TimeSpan.FromMinutes(1), MinFreeDiskBytes = 0 });
        var can0 = journal.Interfaces.Resolve("can0");
        using var writer = journal.CreateWriter();
        writer.Append(TestFrames.Sequence(can0, 1000));
        writer.Commit(StartNs);
        journal.Subscribers.Save("forwarder", 400, retains: true, StartNs);
        writer.Commit(StartNs);
        Assert.Equal(400, writer.EnforceRetention(TwoHoursLater, long.MaxValue).DeletedFrames);

        var removal = journal.Subscribers.Remove("forwarder", TwoHoursLater);

        Assert.Equal(SubscriberRemovalOutcome.Removed, removal.Outcome);
        Assert.Equal(new SubscriberWatermark("forwarder", 400, true, StartNs), removal.Watermark);
        Assert.Equal(600, removal.PendingFrames);
        Assert.False(removal.Durable); // staged: this test is the writer, and has not committed yet
        writer.Commit(TwoHoursLater);
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM subscribers"));
        var removed = temp.Query("SELECT count, first_seq, last_seq, message FROM events WHERE kind = 'SubscriberRemoved'");
        Assert.Single(removed);
        Assert.Equal(new object?[] { 1L, 401L, 1000L }, removed[0][..3]);
        Assert.Contains("Subscriber forwarder removed on request at acked seq 400; it retained, so frames seq 401..1000", (string)removed[0][3]!);

        // Nothing holds the rest back now: age deletes it, and none of it counts as unsynced.
        Assert.Equal(600, writer.EnforceRetention(TwoHoursLater, long.MaxValue).DeletedFrames);
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM events WHERE kind = 'UnsyncedEviction'"));
    }

    [Fact]
    public void Remove_refuses_a_subscriber_with_a_stream_open_and_answers_not_found_for_an_unknown_name()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        journal.Subscribers.Save("view", 7, retains: false, StartNs);

        SubscriberRemoval refused;
        using (journal.Subscribers.Attach("view"))
        using (journal.Subscribers.Attach("view"))
        {
            refused = journal.Subscribers.Remove("view", StartNs);
            Assert.Equal(["view"], journal.Subscribers.Attached());
        }
        Assert.Empty(journal.Subscribers.Attached());
        Assert.Equal(SubscriberRemovalOutcome.StreamOpen, refused.Outcome);
        Assert.Equal(1, temp.Scalar("SELECT count(*) FROM subscribers"));
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM events"));

        Assert.Equal(SubscriberRemovalOutcome.NotFound, journal.Subscribers.Remove("nobody", StartNs).Outcome);

        // No writer runs: the deletion and its record are committed at once.
        var removal = journal.Subscribers.Remove("view", StartNs);
        Assert.Equal(SubscriberRemovalOutcome.Removed, removal.Outcome);
        Assert.True(removal.Durable);
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM subscribers"));
        // No frame is committed, so it had nothing pending: no seq range.
        Assert.Equal(new object?[] { "SubscriberRemoved", 1L, null, null }, temp.Query("SELECT kind, count, first_seq, last_seq FROM events")[0]);
        Assert.Equal(SubscriberRemovalOutcome.NotFound, journal.Subscribers.Remove("view", StartNs).Outcome);
    }

    [Fact]
    public void Staged_subscriber_changes_stay_visible_while_in_flight_and_come_back_after_a_rollback_in_their_order()
    {
        var staged = new StagedWrites();
        var table = new Dictionary<string, SubscriberWatermark>(StringComparer.Ordinal) { ["view"] = new("view", 100, false, 1) };
        SubscriberWatermark? Seen()
        {
            var rows = new Dictionary<string, SubscriberWatermark>(table, StringComparer.Ordinal);
            staged.Overlay(rows);
            return rows.GetValueOrDefault("view");
        }

        staged.StageDeletion(new SubscriberDeletion(["view"], new CaptureEvent(2, CaptureEventKind.SubscriberRemoved, null, 1, "removed")));
        Assert.Null(Seen());
        var (_, taken) = staged.Take();
        Assert.Single(taken.Deletions);
        Assert.Null(Seen()); // in flight: the table still has the row, readers must not see it
        staged.StageWatermark(new SubscriberWatermark("view", 3, false, 3));
        Assert.Equal(3, Seen()!.AckedSeq); // a new subscriber, not merged with the deleted row's 100

        staged.Restore();
        Assert.True(staged.HasPending);
        Assert.Equal(3, Seen()!.AckedSeq);
        var (_, again) = staged.Take();
        Assert.Single(again.Deletions);
        Assert.Equal([new SubscriberWatermark("view", 3, false, 3)], again.Watermarks);

        // Committed: what the table now holds is what readers see.
        table["view"] = new SubscriberWatermark("view", 3, false, 3);
        staged.Committed();
        Assert.False(staged.HasPending);
        Assert.Equal(3, Seen()!.AckedSeq);
    }
}
