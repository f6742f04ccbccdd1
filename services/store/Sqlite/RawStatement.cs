using SQLitePCL;

namespace CanMesh.Store.Sqlite;

/// <summary>
/// A prepared statement reused for the life of its connection: prepared once, then bind, step, reset
/// for every row. Owns the native statement; the connection must outlive it.
/// </summary>
internal sealed unsafe class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly string _sql;

    public RawStatement(sqlite3 db, string sql)
    {
        _db = db;
        _sql = sql;
        // SQLITE_PREPARE_PERSISTENT: the statement lives long, tell SQLite not to use lookaside memory for it.
        var rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement);
        SqliteError.Check(db, rc, $"preparing \"{sql}\"");
        Handle = _statement.DangerousGetHandle();
    }

    /// <summary>The native pointer, for <see cref="NativeSqlite"/> calls on hot paths.</summary>
    public nint Handle { get; }

    public void Bind(int index, long value) => NativeSqlite.sqlite3_bind_int64(Handle, index, value);

    public void BindNull(int index) => NativeSqlite.sqlite3_bind_null(Handle, index);

    public void Bind(int index, string? value)
    {
        if (value is null) raw.sqlite3_bind_null(_statement, index);
        else raw.sqlite3_bind_text(_statement, index, value);
    }

    /// <summary>Runs a statement that returns no rows, then resets it.</summary>
    public void Execute()
    {
        var rc = NativeSqlite.sqlite3_step(Handle);
        NativeSqlite.sqlite3_reset(Handle);
        if (rc != NativeSqlite.SQLITE_DONE) throw SqliteError.From(_db, rc, $"executing \"{_sql}\"");
    }

    /// <summary>Steps a query: true with a row ready, false at the end (then reset it).</summary>
    public bool Step()
    {
        var rc = NativeSqlite.sqlite3_step(Handle);
        if (rc == NativeSqlite.SQLITE_ROW) return true;
        NativeSqlite.sqlite3_reset(Handle);
        if (rc == NativeSqlite.SQLITE_DONE) return false;
        throw SqliteError.From(_db, rc, $"executing \"{_sql}\"");
    }

    public void Reset() => NativeSqlite.sqlite3_reset(Handle);

    public long GetInt64(int column) => NativeSqlite.sqlite3_column_int64(Handle, column);

    public bool IsNull(int column) => NativeSqlite.sqlite3_column_type(Handle, column) == NativeSqlite.SQLITE_NULL;

    public string? GetString(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public ReadOnlySpan<byte> GetBlob(int column)
    {
        // SQLite's documented order: ask for the pointer first, then its size.
        var data = NativeSqlite.sqlite3_column_blob(Handle, column);
        var length = NativeSqlite.sqlite3_column_bytes(Handle, column);
        return length == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(data, length);
    }

    public void Dispose() => _statement.Dispose();
}
