using System.Buffers;
using CanMesh.Frames;
using CanMesh.Text;

namespace CanMesh.Candump;

/// <summary>
/// Reads a candump log (what <c>candump -l</c> writes) into <see cref="FrameBatch"/>es. Lines are parsed as UTF-8
/// straight out of one pooled buffer and frames are written in place into the batch, so a good line allocates nothing.
/// Bad lines are skipped, counted and reported with the file and the 1-based line number, never thrown: one bad line
/// must not cost the rest of a log, and nothing is dropped without a trace (DESIGN invariant 4).
/// </summary>
/// <remarks>
/// Not thread-safe: one reader belongs to one replay loop. Interface names are resolved through the caller's function
/// once per distinct name; the ids it returns go into <see cref="CanFrame.InterfaceId"/>.
/// </remarks>
public sealed class CandumpLogReader : IDisposable, IAsyncDisposable
{
    /// <summary>Size of the read buffer, and so the longest line that can be parsed; longer lines are reported and skipped.</summary>
    public const int BufferSize = 64 * 1024;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly InterfaceNameCache _interfaces;
    private readonly Action<CandumpSkippedLine>? _onSkipped;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _streamEnded;
    private bool _discardingLongLine;

    /// <param name="stream">The log, read from its current position.</param>
    /// <param name="source">How reports name the log: its path, or a description of the stream.</param>
    /// <param name="resolveInterface">Maps an interface name ("can0") to the id stored in frames; called once per name.</param>
    /// <param name="onSkipped">Told about every skipped line (malformed, or a candump drop-count note); may be null.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    public CandumpLogReader(Stream stream, string source, Func<string, ushort> resolveInterface,
        Action<CandumpSkippedLine>? onSkipped = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Source = source;
        _interfaces = new InterfaceNameCache(resolveInterface);
        _onSkipped = onSkipped;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>Opens a log file for reading.</summary>
    public static CandumpLogReader OpenFile(string path, Func<string, ushort> resolveInterface,
        Action<CandumpSkippedLine>? onSkipped = null)
    {
        // bufferSize 0: the reader buffers itself, a second copy through FileStream's buffer would only cost time.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0,
            FileOptions.SequentialScan | FileOptions.Asynchronous);
        return new CandumpLogReader(stream, path, resolveInterface, onSkipped);
    }

    /// <summary>The file path or stream description used in reports.</summary>
    public string Source { get; }

    /// <summary>Lines consumed so far; after a report, the number of the line reported.</summary>
    public long LineNumber { get; private set; }

    public long FramesRead { get; private set; }

    public long MalformedLines { get; private set; }

    /// <summary><c>DROPCOUNT:</c> notes seen: each says the capture that wrote the log lost frames.</summary>
    public long DropCountNotices { get; private set; }

    /// <summary>True once every line has been consumed.</summary>
    public bool EndOfLog { get; private set; }

    /// <summary>
    /// Appends frames to <paramref name="batch"/> until it is full or the log ends.
    /// </summary>
    /// <returns>The number of frames appended; 0 with room in the batch means the log has ended (<see cref="EndOfLog"/>).</returns>
    public int ReadBatch(FrameBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int before = batch.Count;
        while (!batch.IsFull && !EndOfLog)
        {
            if (ProcessBufferedLines(batch)) break;
            if (FinishIfStreamEnded(batch)) break;
            var buffer = PrepareForRead();
            OnRead(_stream.Read(buffer, _end, buffer.Length - _end));
        }
        return batch.Count - before;
    }

    /// <inheritdoc cref="ReadBatch"/>
    public async ValueTask<int> ReadBatchAsync(FrameBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int before = batch.Count;
        while (!batch.IsFull && !EndOfLog)
        {
            if (ProcessBufferedLines(batch)) break;
            if (FinishIfStreamEnded(batch)) break;
            var buffer = PrepareForRead();
            OnRead(await _stream.ReadAsync(buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
        }
        return batch.Count - before;
    }

    /// <summary>Parses complete buffered lines; true when the batch filled up.</summary>
    private bool ProcessBufferedLines(FrameBatch batch)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(CandumpLogReader));
        while (!batch.IsFull)
        {
            var pending = buffer.AsSpan(_start, _end - _start);
            int newline = pending.IndexOf((byte)'\n');
            if (newline < 0) return false;
            _start += newline + 1;
            if (_discardingLongLine)
            {
                _discardingLongLine = false; // the tail of an overlong line, already reported
                continue;
            }
            ProcessLine(pending[..newline], batch);
        }
        return true;
    }

    /// <summary>At the end of the stream, parses a last line that has no newline; true when the log is done.</summary>
    private bool FinishIfStreamEnded(FrameBatch batch)
    {
        if (!_streamEnded) return false;
        if (_end > _start && !_discardingLongLine) ProcessLine(_buffer.AsSpan(_start, _end - _start), batch);
        _start = _end = 0;
        EndOfLog = true;
        return true;
    }

    /// <summary>Moves the unconsumed tail to the front; a full buffer without a newline is an overlong line.</summary>
    private byte[] PrepareForRead()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(CandumpLogReader));
        if (_start > 0)
        {
            buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == buffer.Length)
        {
            if (!_discardingLongLine)
            {
                LineNumber++;
                ReportMalformed($"line longer than {buffer.Length} bytes", buffer.AsSpan(0, _end));
                _discardingLongLine = true;
            }
            _end = 0;
        }
        return buffer;
    }

    private void OnRead(int bytesRead)
    {
        if (bytesRead == 0) _streamEnded = true;
        else _end += bytesRead;
    }

    private void ProcessLine(ReadOnlySpan<byte> line, FrameBatch batch)
    {
        LineNumber++;
        if (LineNumber == 1 && line.StartsWith(Utf8Bom)) line = line[Utf8Bom.Length..];
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];

        if (line.StartsWith("DROPCOUNT:"u8))
        {
            DropCountNotices++;
            Report(CandumpSkipKind.DropCountNotice, "the capture that wrote this log dropped frames here", line);
            return;
        }

        ref var frame = ref batch.Append();
        if (!CandumpLineParser.TryParse(line, ref frame, out var interfaceName, out var error))
        {
            batch.RemoveLast();
            ReportMalformed(error, line);
            return;
        }
        try
        {
            frame.InterfaceId = _interfaces.GetId(line[interfaceName]);
        }
        catch
        {
            batch.RemoveLast(); // the caller's resolver refused the name: leave no half-filled slot behind
            throw;
        }
        FramesRead++;
    }

    private void ReportMalformed(string reason, ReadOnlySpan<byte> line)
    {
        MalformedLines++;
        Report(CandumpSkipKind.Malformed, reason, line);
    }

    private void Report(CandumpSkipKind kind, string reason, ReadOnlySpan<byte> line)
    {
        if (_onSkipped is null) return;
        // Escaped here, where the raw bytes still are: a garbage file's NUL, ESC and BEL bytes and invalid UTF-8 must
        // reach log lines and event rows as visible escapes, not as terminal commands or U+FFFD.
        var text = PrintableText.Escape(line, CandumpSkippedLine.MaxTextLength);
        _onSkipped(new CandumpSkippedLine(Source, LineNumber, kind, reason, text));
    }

    public void Dispose()
    {
        ReturnBuffer();
        if (!_leaveOpen) _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        ReturnBuffer();
        if (!_leaveOpen) await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
