using System.Runtime.InteropServices;

namespace CanMesh.Store.Sqlite;

/// <summary>
/// Direct calls into the SQLite library that SQLitePCLRaw loads (e_sqlite3), for the few calls on the
/// per-frame paths (bind, step, reset, column reads). SQLitePCLRaw's wrappers go through a provider
/// interface and a SafeHandle add/release on every call, which halved insert throughput in measurement;
/// these take the raw statement pointer, which the owning <see cref="RawStatement"/> keeps alive.
/// </summary>
/// <remarks>
/// Bind, reset and column accessors are short, non-blocking C functions, so they skip the GC transition.
/// step can do I/O and run long, so it keeps the normal transition.
/// </remarks>
internal static unsafe partial class NativeSqlite
{
    private const string Library = "e_sqlite3";

    public const int SQLITE_OK = 0;
    public const int SQLITE_ROW = 100;
    public const int SQLITE_DONE = 101;
    public const int SQLITE_NULL = 5;

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_bind_int64(nint stmt, int index, long value);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_bind_blob(nint stmt, int index, byte* data, int length, nint destructor);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_bind_null(nint stmt, int index);

    [LibraryImport(Library)]
    public static partial int sqlite3_step(nint stmt);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_reset(nint stmt);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial long sqlite3_column_int64(nint stmt, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial byte* sqlite3_column_blob(nint stmt, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_column_bytes(nint stmt, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_column_type(nint stmt, int column);

    /// <summary>The OS error (errno) behind the connection's last I/O error; not wrapped by SQLitePCLRaw.</summary>
    [LibraryImport(Library)]
    public static partial int sqlite3_system_errno(nint db);
}
