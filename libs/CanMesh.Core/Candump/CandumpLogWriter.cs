using System.Buffers;
using System.Text;
using CanMesh.Frames;

namespace CanMesh.Candump;

/// <summary>
/// Writes frames as a candump log that <c>canplayer</c> replays and <c>log2asc</c> converts, in the canonical form of
/// <see cref="CandumpLineFormatter"/>. Lines are formatted into one pooled buffer that goes to the stream when full,
/// so writing allocates nothing per frame.
/// </summary>
/// <remarks>
/// Interface ids are turned into names through the caller's function once per id. Not thread-safe. Call
/// <see cref="Flush"/> or dispose to push buffered lines out; an invalid frame throws before any of its bytes are buffered.
/// </remarks>
public sealed class CandumpLogWriter : IDisposable, IAsyncDisposable
{
    public const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Func<ushort, string> _interfaceName;
    private readonly Dictionary<ushort, byte[]> _names = [];
    private byte[]? _buffer;
    private int _count;
    private ushort _lastId;
    private byte[]? _lastName;

    /// <param name="stream">Where the log goes.</param>
    /// <param name="interfaceName">Maps a frame's <see cref="CanFrame.InterfaceId"/> to its interface name ("can0").</param>
    /// <param name="leaveOpen">Whether disposing the writer leaves <paramref name="stream"/> open.</param>
    public CandumpLogWriter(Stream stream, Func<ushort, string> interfaceName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(interfaceName);
        _stream = stream;
        _interfaceName = interfaceName;
        _leaveOpen = leaveOpen;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>Creates (or replaces) a log file.</summary>
    public static CandumpLogWriter CreateFile(string path, Func<ushort, string> interfaceName)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        return new CandumpLogWriter(stream, interfaceName);
    }

    public long FramesWritten { get; private set; }

    /// <exception cref="ArgumentException">The frame cannot be expressed in the format (see <see cref="CandumpLineFormatter.Validate"/>).</exception>
    public void Write(in CanFrame frame)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(CandumpLogWriter));
        var name = NameOf(frame.InterfaceId);
        if (buffer.Length - _count < CandumpLineFormatter.MaxLineLength(name.Length)) FlushBuffer();
        _count += CandumpLineFormatter.Format(in frame, name, buffer.AsSpan(_count));
        FramesWritten++;
    }

    public void Write(ReadOnlySpan<CanFrame> frames)
    {
        foreach (ref readonly var frame in frames) Write(in frame);
    }

    /// <summary>Writes buffered lines to the stream and flushes it.</summary>
    public void Flush()
    {
        FlushBuffer();
        _stream.Flush();
    }

    /// <inheritdoc cref="Flush"/>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_buffer is not null && _count > 0)
        {
            await _stream.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
            _count = 0;
        }
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_buffer is null) return;
        try
        {
            Flush();
        }
        finally
        {
            ReturnBuffer();
            if (!_leaveOpen) _stream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_buffer is null) return;
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            ReturnBuffer();
            if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void FlushBuffer()
    {
        if (_buffer is null || _count == 0) return;
        _stream.Write(_buffer, 0, _count);
        _count = 0;
    }

    private ReadOnlySpan<byte> NameOf(ushort interfaceId)
    {
        if (_lastName is not null && _lastId == interfaceId) return _lastName;
        if (!_names.TryGetValue(interfaceId, out var name))
        {
            name = Encoding.UTF8.GetBytes(_interfaceName(interfaceId) ?? "");
            CandumpLineFormatter.ValidateInterfaceName(name);
            _names.Add(interfaceId, name);
        }
        _lastId = interfaceId;
        _lastName = name;
        return name;
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
