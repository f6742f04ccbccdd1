namespace CanMesh.Store.Tests;

/// <summary>The journal knows whether the last run that wrote to it ended cleanly.</summary>
public sealed class RunMarkTests
{
    [Fact]
    public void A_run_that_never_committed_its_end_is_reported_by_the_next_one()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        using (var writer = journal.CreateWriter())
        {
            Assert.Null(writer.BeginRun(111));
            writer.Commit(1);
            // No EndRun: as if the process died here.
        }
        using (var writer = journal.CreateWriter())
        {
            Assert.Equal(111, writer.BeginRun(222));
            // The mark counts only once committed: what a rolled-back transaction held, the next commit writes.
            writer.Append(TestFrames.Sequence(journal.Interfaces.Resolve("can0"), 5));
            writer.Commit(2);
            Assert.Equal("222", temp.Query("SELECT value FROM meta WHERE key = 'running_since'")[0][0]);
            writer.EndRun();
            writer.Append(TestFrames.Sequence(1, 5));
            writer.Rollback();
            Assert.Equal("222", temp.Query("SELECT value FROM meta WHERE key = 'running_since'")[0][0]);
            writer.Commit(3);
        }
        using (var writer = journal.CreateWriter())
        {
            Assert.Null(writer.BeginRun(333));
        }
        Assert.Equal(0L, temp.Scalar("SELECT count(*) FROM meta WHERE key = 'running_since'"));
    }
}
