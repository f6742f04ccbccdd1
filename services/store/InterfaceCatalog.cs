using System.Collections.Concurrent;
using CanMesh.Store.Sqlite;

namespace CanMesh.Store;

/// <summary>
/// The interfaces table: names to the small numbers frames carry. A new name gets its number at once;
/// its row is written in the frame writer's next transaction when a writer runs (so it commits with, or
/// before, the first frame that uses it), or at once otherwise. Thread-safe; lookups after the first
/// are a dictionary read.
/// </summary>
public sealed class InterfaceCatalog : IDisposable
{
    private readonly SqliteDatabase _db;
    private readonly FrameJournal _journal;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<string, ushort> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ushort, string> _byId = new();

    internal InterfaceCatalog(string path, FrameJournal journal)
    {
        _journal = journal;
        _db = SqliteDatabase.Open(path, readOnly: false);
        using var read = _db.Prepare("SELECT id, name FROM interfaces");
        while (read.Step()) Remember((ushort)read.GetInt64(0), read.GetString(1)!);
    }

    public ushort Resolve(string name)
    {
        if (_byName.TryGetValue(name, out var id)) return id;
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_writeLock)
        {
            if (_byName.TryGetValue(name, out id)) return id;
            var next = _byId.IsEmpty ? 1 : _byId.Keys.Max() + 1;
            if (next > ushort.MaxValue) throw new InvalidOperationException("The capture database has no room for more interface names.");
            if (_journal.HasWriter)
            {
                _journal.Staged.StageInterface((ushort)next, name);
            }
            else
            {
                using var insert = _db.Prepare("INSERT INTO interfaces(id, name) VALUES(?1, ?2)");
                insert.Bind(1, next);
                insert.Bind(2, name);
                _db.WriteWithRetry(insert.Execute);
            }
            Remember((ushort)next, name);
            return (ushort)next;
        }
    }

    /// <summary>The name of an interface number, or "if{id}" for a number the database does not know.</summary>
    public string NameOf(ushort id) => _byId.TryGetValue(id, out var name) ? name : $"if{id}";

    public IReadOnlyDictionary<ushort, string> All => _byId;

    private void Remember(ushort id, string name)
    {
        _byId[id] = name;
        _byName[name] = id;
    }

    public void Dispose() => _db.Dispose();
}
