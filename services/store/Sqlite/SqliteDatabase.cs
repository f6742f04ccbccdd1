using SQLitePCL;

namespace CanMesh.Store.Sqlite;

/// <summary>
/// One SQLite connection, used by one thread at a time (opened NOMUTEX: the store gives each thread its
/// own connection instead of paying for SQLite's serialization).
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly sqlite3 _db;

    // SQLitePCL's provider is process-wide and must be set before the first open. The type initializer runs
    // once and every other thread waits for it; a flag set before Init returned (as here before) let a
    // second thread open a connection with no provider yet, seen as "You need to call SetProvider" under load.
    static SqliteDatabase() => Batteries_V2.Init();

    private SqliteDatabase(sqlite3 db, string path)
    {
        _db = db;
        Path = path;
    }

    public string Path { get; }
    public sqlite3 Handle => _db;

    public static SqliteDatabase Open(string path, bool readOnly)
    {
        var flags = (readOnly ? raw.SQLITE_OPEN_READONLY : raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE) | raw.SQLITE_OPEN_NOMUTEX;
        var rc = raw.sqlite3_open_v2(path, out var db, flags, null);
        if (rc != raw.SQLITE_OK)
        {
            var message = db is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(db).utf8_to_string();
            db?.Dispose();
            throw new SqliteError(rc, $"Cannot open the capture database {path}: {message}. Check that the folder exists and is writable.");
        }
        // Readers and the writer meet in WAL mode; a reader briefly blocked by a checkpoint waits rather than failing.
        raw.sqlite3_busy_timeout(db, 5000);
        raw.sqlite3_extended_result_codes(db, 0);
        return new SqliteDatabase(db, path);
    }

    public void Execute(string sql)
    {
        var rc = raw.sqlite3_exec(db: _db, sql, out var error);
        if (rc != raw.SQLITE_OK) throw SqliteError.WithDetail(_db, rc, $"SQLite error {rc} while executing \"{Shorten(sql)}\" on {Path}: {error}");
    }

    public RawStatement Prepare(string sql) => new(_db, sql);

    /// <summary>Begins a write transaction; dispose the result without committing to roll it back.</summary>
    public SqliteTransaction BeginImmediate()
    {
        Execute("BEGIN IMMEDIATE");
        return new SqliteTransaction(this);
    }

    /// <summary>
    /// Rolls back the open transaction, if there is one: SQLite ends it by itself after some errors (a full
    /// disk during COMMIT), and a ROLLBACK then would fail.
    /// </summary>
    public void RollbackIfOpen()
    {
        if (raw.sqlite3_get_autocommit(_db) == 0) Execute("ROLLBACK");
    }

    /// <summary>
    /// Runs a short autocommit write, retrying while SQLite answers SQLITE_BUSY. The busy timeout covers
    /// most contention with the frame writer, but in WAL mode a write can get SQLITE_BUSY at once (when
    /// the connection's snapshot went stale between its read and its write): retrying takes a fresh one.
    /// </summary>
    public void WriteWithRetry(Action write, TimeSpan? patience = null)
    {
        var deadline = Environment.TickCount64 + (long)(patience ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                write();
                return;
            }
            catch (SqliteError error) when ((error.Code & 0xFF) == raw.SQLITE_BUSY && Environment.TickCount64 < deadline)
            {
                Thread.Sleep(Math.Min(5 * attempt, 100));
            }
        }
    }

    public long QueryInt64(string sql, long whenNoRow = 0)
    {
        using var statement = Prepare(sql);
        var value = statement.Step() ? statement.GetInt64(0) : whenNoRow;
        statement.Reset();
        return value;
    }

    public string? QueryString(string sql)
    {
        using var statement = Prepare(sql);
        var value = statement.Step() ? statement.GetString(0) : null;
        statement.Reset();
        return value;
    }

    private static string Shorten(string sql) => sql.Length <= 80 ? sql : sql[..77] + "...";

    public void Dispose() => _db.Dispose();
}
