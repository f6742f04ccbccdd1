using System.Text;

namespace CanMesh.Candump;

/// <summary>
/// Maps interface names, as UTF-8 slices of log lines, to interface ids, calling the caller's resolver once per
/// distinct name. A log names a handful of interfaces (candump takes at most 16), so a linear scan with a
/// last-hit shortcut beats hashing and needs no string per line.
/// </summary>
internal sealed class InterfaceNameCache
{
    private readonly Func<string, ushort> _resolve;
    private readonly List<(byte[] Name, ushort Id)> _entries = [];
    private int _last = -1;

    public InterfaceNameCache(Func<string, ushort> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        _resolve = resolve;
    }

    public ushort GetId(ReadOnlySpan<byte> utf8Name)
    {
        if (_last >= 0 && utf8Name.SequenceEqual(_entries[_last].Name)) return _entries[_last].Id;
        for (int k = 0; k < _entries.Count; k++)
        {
            if (utf8Name.SequenceEqual(_entries[k].Name))
            {
                _last = k;
                return _entries[k].Id;
            }
        }
        ushort id = _resolve(Encoding.UTF8.GetString(utf8Name));
        _entries.Add((utf8Name.ToArray(), id));
        _last = _entries.Count - 1;
        return id;
    }
}
