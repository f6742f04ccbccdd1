using SQLitePCL;

namespace CanMesh.Bench.Capture;

/// <summary>
/// Checks a run's database on a connection of its own, after the run: exactly the frames sent, seq dense
/// from 1 (count = max, min = 1), all of their payload, and no event rows (no drop was recorded).
/// </summary>
internal static class DatabaseCheck
{
    public static void Verify(string path, long frames, long payloadBytes)
    {
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READONLY, null);
        using (db)
        {
            if (rc != raw.SQLITE_OK) throw new InvalidOperationException($"Cannot open {path} to check it: {raw.sqlite3_errstr(rc).utf8_to_string()}");
            var (count, min, max, payload) = Query4(db, "SELECT count(*), min(seq), max(seq), total(length(data)) FROM frames");
            if (count != frames || min != 1 || max != frames)
            {
                throw new InvalidOperationException($"{path} holds {count} frames, seq {min}..{max}; expected {frames} frames, seq 1..{frames}.");
            }
            if (payload != payloadBytes) throw new InvalidOperationException($"{path} holds {payload} payload bytes; expected {payloadBytes}.");
            var (events, _, _, _) = Query4(db, "SELECT count(*), 0, 0, 0 FROM events");
            if (events != 0) throw new InvalidOperationException($"{path} holds {events} event rows (drops or faults); expected none.");
        }
    }

    private static (long, long, long, long) Query4(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
        if (rc != raw.SQLITE_OK) throw new InvalidOperationException($"Cannot prepare \"{sql}\": {raw.sqlite3_errmsg(db).utf8_to_string()}");
        using (statement)
        {
            rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_ROW) throw new InvalidOperationException($"\"{sql}\" returned no row: {raw.sqlite3_errmsg(db).utf8_to_string()}");
            return (raw.sqlite3_column_int64(statement, 0), raw.sqlite3_column_int64(statement, 1),
                raw.sqlite3_column_int64(statement, 2), raw.sqlite3_column_int64(statement, 3));
        }
    }
}
