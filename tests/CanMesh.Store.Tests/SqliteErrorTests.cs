using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Tests;

/// <summary>Which SQLite errors mean the file system is out of space (and so make the writer evict, then retry).</summary>
public sealed class SqliteErrorTests
{
    private const int SQLITE_IOERR = 10, SQLITE_FULL = 13, SQLITE_BUSY = 5, SQLITE_CONSTRAINT = 19;
    private const int SQLITE_IOERR_READ = SQLITE_IOERR | (1 << 8), SQLITE_IOERR_WRITE = SQLITE_IOERR | (3 << 8),
        SQLITE_IOERR_FSYNC = SQLITE_IOERR | (4 << 8), SQLITE_IOERR_TRUNCATE = SQLITE_IOERR | (6 << 8),
        SQLITE_IOERR_SHMSIZE = SQLITE_IOERR | (19 << 8);
    private const int EIO = 5, ENOSPC = 28, EDQUOT = 122;

    [Theory]
    [InlineData(SQLITE_FULL, SQLITE_FULL, 0)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_WRITE, ENOSPC)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_FSYNC, ENOSPC)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_TRUNCATE, ENOSPC)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_SHMSIZE, ENOSPC)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_WRITE, EDQUOT)]
    public void Out_of_space_is_a_full_database_or_an_io_error_caused_by_a_full_file_system(int code, int extended, int errno)
    {
        Assert.True(new SqliteError(code, "test", extended, errno).IsOutOfSpace);
    }

    [Theory]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_WRITE, EIO)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_READ, EIO)]
    [InlineData(SQLITE_IOERR, SQLITE_IOERR_FSYNC, 0)]
    [InlineData(SQLITE_BUSY, SQLITE_BUSY, 0)]
    [InlineData(SQLITE_CONSTRAINT, SQLITE_CONSTRAINT, 0)]
    public void Other_errors_are_not_out_of_space(int code, int extended, int errno)
    {
        Assert.False(new SqliteError(code, "test", extended, errno).IsOutOfSpace);
    }
}
