using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Schema;

/// <summary>
/// Whether an existing file is a CanMesh capture database, without changing it. <see cref="FrameJournal.Open"/>
/// creates and migrates whatever it is given, which is right for the capture's own file but wrong for a path a
/// person typed: a tool must refuse someone else's SQLite file instead of adding CanMesh tables to it.
/// </summary>
public static class CaptureDatabaseCheck
{
    private static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;

    /// <summary>
    /// When the capture that last wrote the database began its run (ns since the epoch) if that run has not ended
    /// cleanly: a capture is writing it now, or one crashed. Null otherwise. A second writer must not append then: seqs
    /// are assigned by the one writer (ARCHITECTURE.md invariant 2). Call on a file <see cref="Problem"/> accepted.
    /// </summary>
    public static long? RunningSince(string path)
    {
        using var db = SqliteDatabase.Open(path, readOnly: true);
        var value = db.QueryString("SELECT value FROM meta WHERE key = 'running_since'");
        return value is null ? null : long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Null when <paramref name="path"/> is a capture database this CanMesh can open; otherwise why not, as one sentence.</summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path)) return $"{path} is a directory, not a CanMesh capture database.";
        if (!File.Exists(path)) return $"{path} does not exist.";
        Span<byte> header = stackalloc byte[16];
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.SequenceEqual(SqliteMagic))
                return $"{path} is not a CanMesh capture database (not an SQLite file).";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Cannot read {path}: {e.Message}";
        }
        try
        {
            using var db = SqliteDatabase.Open(path, readOnly: true);
            var version = db.QueryInt64("PRAGMA user_version");
            if (version > StoreSchema.CurrentVersion)
                return $"{path} has capture database schema version {version}, newer than this CanMesh understands ({StoreSchema.CurrentVersion}).";
            var tables = db.QueryInt64("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'interfaces', 'frames', 'commits')");
            if (version < 1 || tables != 4 || db.QueryString("SELECT value FROM meta WHERE key = 'capture_id'") is null)
                return $"{path} is not a CanMesh capture database (an SQLite file without the capture tables).";
            return null;
        }
        catch (SqliteError e)
        {
            return $"{path} is not a readable CanMesh capture database: {e.Message}";
        }
    }
}
