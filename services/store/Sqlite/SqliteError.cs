using SQLitePCL;

namespace CanMesh.Store.Sqlite;

/// <summary>A failed SQLite call, with SQLite's own message and the database path.</summary>
public sealed class SqliteError : Exception
{
    /// <param name="code">What the call returned (a primary result code: the store leaves extended result codes off).</param>
    /// <param name="extendedCode">sqlite3_extended_errcode after the failure (SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, ...), or 0.</param>
    /// <param name="systemErrno">sqlite3_system_errno after the failure: the OS error behind an I/O error, or 0.</param>
    public SqliteError(int code, string message, int extendedCode = 0, int systemErrno = 0) : base(message)
    {
        Code = code;
        ExtendedCode = extendedCode;
        SystemErrno = systemErrno;
    }

    public int Code { get; }
    public int ExtendedCode { get; }
    public int SystemErrno { get; }

    /// <summary>
    /// The file system has no room for the write: evicting old frames can help, where it cannot for other errors.
    /// </summary>
    /// <remarks>
    /// Out of space is either of:
    /// <list type="bullet">
    /// <item>SQLITE_FULL: SQLite's unix VFS returns it when a write to the database or its WAL fails with
    /// ENOSPC or comes back short (what a full tmpfs or ext4 gives).</item>
    /// <item>SQLITE_IOERR, whatever its extended code (SQLITE_IOERR_WRITE, _FSYNC, _TRUNCATE, _SHMSIZE, ...),
    /// when the OS error behind it is ENOSPC or EDQUOT: file systems that find out late that they are full
    /// (at fsync with delayed allocation, over NFS, over a quota) and the -shm file failing to grow report it
    /// so.</item>
    /// </list>
    /// Any other I/O error (EIO from a failing SD card, say) is not cured by deleting frames: the writer logs
    /// it and retries without evicting.
    /// </remarks>
    public bool IsOutOfSpace => (Code & 0xFF) switch
    {
        raw.SQLITE_FULL => true,
        raw.SQLITE_IOERR => SystemErrno is Errno.ENOSPC or Errno.EDQUOT,
        _ => false,
    };

    /// <summary>The errno values that mean "no room" on Linux.</summary>
    private static class Errno
    {
        public const int ENOSPC = 28;
        public const int EDQUOT = 122;
    }

    internal static void Check(sqlite3 db, int rc, string what)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw From(db, rc, what);
    }

    internal static SqliteError From(sqlite3 db, int rc, string what)
    {
        var detail = raw.sqlite3_errmsg(db).utf8_to_string();
        var file = raw.sqlite3_db_filename(db, "main").utf8_to_string();
        return WithDetail(db, rc, $"SQLite error {rc} ({raw.sqlite3_errstr(rc).utf8_to_string()}) while {what} in {file}: {detail}");
    }

    /// <summary>An error for <paramref name="rc"/> with the connection's extended code and OS error, read before anything else runs on it.</summary>
    internal static SqliteError WithDetail(sqlite3 db, int rc, string message)
    {
        var extended = raw.sqlite3_extended_errcode(db);
        var errno = NativeSqlite.sqlite3_system_errno(db.DangerousGetHandle());
        return new SqliteError(rc, errno == 0 ? message : $"{message} (OS error {errno})", extended, errno);
    }
}
