using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Events;

/// <summary>
/// The one INSERT of an events row, for every connection that writes one (the frame writer, and the
/// subscribers table when no writer runs), so the columns are bound the same way everywhere.
/// </summary>
internal static class EventRow
{
    public const string InsertSql =
        "INSERT INTO events(ts_ns, kind, source, count, first_seq, last_seq, message) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";

    /// <summary>Binds <paramref name="e"/> to a statement prepared from <see cref="InsertSql"/> and runs it.</summary>
    public static void Insert(RawStatement insert, CaptureEvent e)
    {
        insert.Bind(1, e.TimestampNs);
        insert.Bind(2, e.Kind.ToString());
        insert.Bind(3, e.Source);
        insert.Bind(4, e.Count);
        if (e.FirstSeq is { } firstSeq) insert.Bind(5, firstSeq); else insert.BindNull(5);
        if (e.LastSeq is { } lastSeq) insert.Bind(6, lastSeq); else insert.BindNull(6);
        insert.Bind(7, e.Message);
        insert.Execute();
    }
}
