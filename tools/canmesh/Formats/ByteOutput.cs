using System.Buffers;
using System.Text;

namespace CanMesh.Cli.Formats;

/// <summary>
/// A pooled byte buffer in front of a stream, with the few formatting steps the text formats need (decimal, fixed
/// hex, padding). Lines are formatted as bytes straight into it: no string per frame.
/// </summary>
internal sealed class ByteOutput : IDisposable
{
    private const int BufferSize = 256 * 1024;

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    private readonly Stream _stream;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _count;

    public ByteOutput(Stream stream) => _stream = stream;

    /// <summary>Makes room for at least <paramref name="bytes"/> (a whole line), writing out what is buffered if needed.</summary>
    public void Reserve(int bytes)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ByteOutput));
        if (buffer.Length - _count < bytes) Flush();
    }

    public void Put(byte b) => _buffer![_count++] = b;

    public void Put(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    public void Put(string ascii)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(ascii.Length));
        _count += Encoding.UTF8.GetBytes(ascii, _buffer.AsSpan(_count));
    }

    public void Spaces(int n)
    {
        if (n <= 0) return;
        _buffer.AsSpan(_count, n).Fill((byte)' ');
        _count += n;
    }

    /// <summary>A non-negative number in decimal, right-aligned in <paramref name="width"/> (wider numbers are not cut).</summary>
    public void Decimal(long value, int width = 0)
    {
        Span<byte> digits = stackalloc byte[20];
        var n = 0;
        do
        {
            digits[19 - n++] = (byte)('0' + value % 10);
            value /= 10;
        }
        while (value > 0);
        Spaces(width - n);
        Put(digits[(20 - n)..]);
    }

    /// <summary>Exactly <paramref name="count"/> decimal digits, zero-padded (the microseconds of a timestamp).</summary>
    public void FixedDecimal(long value, int count)
    {
        var span = _buffer.AsSpan(_count, count);
        for (var k = count - 1; k >= 0; k--, value /= 10) span[k] = (byte)('0' + value % 10);
        _count += count;
    }

    /// <summary>Exactly <paramref name="digits"/> upper-case hex digits.</summary>
    public void FixedHex(uint value, int digits)
    {
        var span = _buffer.AsSpan(_count, digits);
        for (var k = digits - 1; k >= 0; k--, value >>= 4) span[k] = Hex[(int)(value & 0xF)];
        _count += digits;
    }

    /// <summary>Upper-case hex without leading zeros; lower case when <paramref name="lower"/>.</summary>
    public int ShortHex(uint value, bool lower = false)
    {
        var digits = 1;
        while (digits < 8 && value >> (4 * digits) != 0) digits++;
        FixedHex(value, digits);
        if (lower)
        {
            var span = _buffer.AsSpan(_count - digits, digits);
            for (var k = 0; k < span.Length; k++) if (span[k] >= 'A') span[k] = (byte)(span[k] + 32);
        }
        return digits;
    }

    public void HexByte(byte b)
    {
        _buffer![_count++] = Hex[b >> 4];
        _buffer[_count++] = Hex[b & 0xF];
    }

    public void Flush()
    {
        if (_buffer is null || _count == 0) return;
        _stream.Write(_buffer, 0, _count);
        _count = 0;
    }

    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
