using SQLitePCL;

namespace CanMesh.Store.Sqlite;

/// <summary>A failed SQLite call, with SQLite's own message and the database path.</summary>
public sealed class SqliteError : Exception
{
    public SqliteError(int code, string message) : base(message) => Code = code;

    public int Code { get; }

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
        return new SqliteError(rc, $"SQLite error {rc} ({raw.sqlite3_errstr(rc).utf8_to_string()}) while {what} in {file}: {detail}");
    }
}
