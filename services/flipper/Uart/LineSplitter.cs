using System.Text;

namespace CanMesh.Flipper.Uart;

/// <summary>
/// Cuts the byte stream from the UART into lines with bounded memory: a line ends at '\n' (one '\r' before it is
/// dropped), and a line longer than the cap is discarded up to its newline, whatever comes in between. Bytes
/// outside printable ASCII become '?', so garbage never reaches a log line as control characters.
/// </summary>
internal sealed class LineSplitter(int maxLineBytes)
{
    private readonly byte[] _line = new byte[maxLineBytes];
    private int _length;
    private bool _overlong;

    /// <summary>Lines dropped for being longer than the cap, since the start.</summary>
    public long OverlongLines { get; private set; }

    /// <summary>Feeds bytes; calls <paramref name="onLine"/> for each complete line.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, Action<string> onLine)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var part = newline < 0 ? bytes : bytes[..newline];
            Append(part);
            if (newline < 0) return;
            bytes = bytes[(newline + 1)..];
            if (_overlong)
            {
                OverlongLines++;
            }
            else
            {
                var length = _length > 0 && _line[_length - 1] == '\r' ? _length - 1 : _length;
                onLine(Decode(_line.AsSpan(0, length)));
            }
            _length = 0;
            _overlong = false;
        }
    }

    /// <summary>Forgets a partial line: after a reopen, what came before belongs to another session.</summary>
    public void Reset()
    {
        _length = 0;
        _overlong = false;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_overlong) return;
        if (_length + part.Length > _line.Length)
        {
            _overlong = true;
            _length = 0;
            return;
        }
        part.CopyTo(_line.AsSpan(_length));
        _length += part.Length;
    }

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes) text.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        return text.ToString();
    }
}
