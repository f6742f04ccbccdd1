using CanMesh.Store.Retention;

namespace CanMesh.Store.Tests;

public sealed class SequenceTests
{
    [Fact]
    public void Seq_stays_dense_across_restarts_of_the_store()
    {
        using var temp = new TempStore();
        var captureId = Guid.Empty;
        for (var run = 0; run < 3; run++)
        {
            using var journal = temp.Open();
            if (run == 0) captureId = journal.CaptureId;
            else Assert.Equal(captureId, journal.CaptureId);
            var can0 = journal.Interfaces.Resolve("can0");
            Assert.Equal(1, can0);
            using var writer = journal.CreateWriter();
            writer.Append(TestFrames.Sequence(can0, 250));
            writer.Commit(1);
            writer.Append(TestFrames.Sequence(can0, 50));
            writer.Commit(2);
        }
        Assert.Equal(new object?[] { 900L, 1L, 900L }, temp.Query("SELECT count(*), min(seq), max(seq) FROM frames")[0]);
    }

    [Fact]
    public void A_rolled_back_transaction_gives_its_seqs_to_the_next()
    {
        using var temp = new TempStore();
        using var journal = temp.Open();
        var can0 = journal.Interfaces.Resolve("can0");
        using var writer = journal.CreateWriter();
        writer.Append(TestFrames.Sequence(can0, 10));
        writer.Commit(1);
        writer.Append(TestFrames.Sequence(can0, 10));
        writer.Rollback();
        writer.Append(TestFrames.Sequence(can0, 5));
        writer.Commit(2);
        Assert.Equal(new object?[] { 15L, 15L }, temp.Query("SELECT count(*), max(seq) FROM frames")[0]);
    }

    [Fact]
    public void After_retention_deleted_every_frame_a_restart_does_not_reuse_seqs()
    {
        using var temp = new TempStore();
        var retention = new RetentionSettings { MaxAge = TimeSpan.FromSeconds(1), MinFreeDiskBytes = 0 };
        using (var journal = temp.Open(retention))
        {
            var can0 = journal.Interfaces.Resolve("can0");
            using var writer = journal.CreateWriter();
            writer.Append(TestFrames.Sequence(can0, 100));
            writer.Commit(1);
            var result = writer.EnforceRetention(TestFrames.BaseNs + 3600_000_000_000L, long.MaxValue);
            Assert.Equal(100, result.DeletedFrames);
        }
        Assert.Equal(0, temp.Scalar("SELECT count(*) FROM frames"));
        using (var journal = temp.Open(retention))
        {
            Assert.Equal(100, journal.CommittedSeq);
            Assert.Equal(101, journal.FirstSeq);
            using var writer = journal.CreateWriter();
            writer.Append(TestFrames.Sequence(1, 1));
            writer.Commit(1);
        }
        Assert.Equal(101L, temp.Scalar("SELECT min(seq) FROM frames"));
    }

    [Fact]
    public void A_database_from_a_newer_schema_is_refused_with_a_clear_message()
    {
        using var temp = new TempStore();
        using (temp.Open())
        {
        }
        SQLitePCL.Batteries_V2.Init();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={temp.Path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }
        var error = Assert.Throws<InvalidOperationException>(() => temp.Open());
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains(temp.Path, error.Message);
    }
}
