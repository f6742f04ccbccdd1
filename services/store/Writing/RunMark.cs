using System.Globalization;
using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Writing;

/// <summary>
/// The meta row <c>running_since</c>: written with a run's first commit and removed with its last, so a
/// journal that still has it at start was left by a run that never stopped cleanly (a crash, kill -9 or
/// power loss). Its writes go into the writer's transactions and count only once committed: after a
/// rollback the next commit writes them again. Used by the <see cref="JournalWriter"/> only.
/// </summary>
internal sealed class RunMark : IDisposable
{
    private const string Key = "running_since";

    private readonly SqliteDatabase _db;
    private readonly RawStatement _set;
    private readonly RawStatement _clear;
    private Change _pending;
    private Change _written;
    private long _startedNs;

    public RunMark(SqliteDatabase db)
    {
        _db = db;
        _set = db.Prepare($"INSERT INTO meta(key, value) VALUES('{Key}', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        _clear = db.Prepare($"DELETE FROM meta WHERE key = '{Key}'");
    }

    private enum Change
    {
        None,
        Set,
        Clear,
    }

    public bool HasPending => _pending != Change.None;

    /// <summary>Sets the mark with the next commit; returns when the previous run began if its mark is still there.</summary>
    public long? Begin(long startedNs)
    {
        var previous = _db.QueryString($"SELECT value FROM meta WHERE key = '{Key}'");
        _startedNs = startedNs;
        _pending = Change.Set;
        return previous is null ? null : long.Parse(previous, CultureInfo.InvariantCulture);
    }

    /// <summary>Removes the mark with the next commit.</summary>
    public void End() => _pending = Change.Clear;

    /// <summary>Writes the pending change into the open transaction.</summary>
    public void Write()
    {
        if (_pending == Change.Set)
        {
            _set.Bind(1, _startedNs.ToString(CultureInfo.InvariantCulture));
            _set.Execute();
        }
        else if (_pending == Change.Clear)
        {
            _clear.Execute();
        }
        _written = _pending;
    }

    /// <summary>The transaction holding what <see cref="Write"/> wrote committed.</summary>
    public void Committed()
    {
        if (_pending == _written) _pending = Change.None;
        _written = Change.None;
    }

    public void Dispose()
    {
        _set.Dispose();
        _clear.Dispose();
    }
}
