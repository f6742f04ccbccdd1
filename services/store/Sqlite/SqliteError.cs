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

    /// <summary>The disk is full (SQLITE_FULL), or the file system refused to grow the file (SQLITE_IOERR on write).</summary>
    public bool IsDiskFull => (Code & 0xFF) == raw.SQLITE_FULL;

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
