using System.Text;

namespace CanMesh.Flipper.Tests.Infrastructure;

/// <summary>
/// The Flipper's side of the line: sends bytes and lines, and collects every line it receives on a thread of its
/// own (a blocking read; it ends when the pty goes away). Waits are on conditions with generous deadlines.
/// </summary>
public sealed class FakeFlipper : IDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly FileStream _reader;
    private readonly FileStream _writer;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _partial = new();
    private readonly Thread _thread;
    private volatile bool _disposed;

    public FakeFlipper(string path)
    {
        Path = path;
        // Separate handles for reading and writing: the read blocks on its own thread while the test writes.
        _reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        _writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = "fake flipper" };
        _thread.Start();
    }

    public string Path { get; }

    /// <summary>Every complete line received so far, without its '\n'.</summary>
    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }

    /// <summary>For failure messages: the lines received, the last few.</summary>
    public string Describe()
    {
        var lines = Lines;
        return $"{lines.Count} line(s) received; last: [{string.Join(" | ", lines.TakeLast(5))}]";
    }

    public void Send(ReadOnlySpan<byte> bytes)
    {
        _writer.Write(bytes);
        _writer.Flush();
    }

    public void Send(string text) => Send(Encoding.ASCII.GetBytes(text));

    public void SendLine(string line) => Send(line + "\n");

    /// <summary>
    /// Waits until a line after index <paramref name="after"/> matches; returns it with its index. On a timeout the
    /// failure names <paramref name="what"/>, the lines received and what <paramref name="context"/> says then
    /// (the services' logs).
    /// </summary>
    public async Task<(string Line, int Index)> WaitForLineAsync(Func<string, bool> match, string what, int after = -1, TimeSpan? timeout = null,
        Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        while (true)
        {
            var lines = Lines;
            for (var i = after + 1; i < lines.Count; i++)
            {
                if (match(lines[i])) return (lines[i], i);
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {(timeout ?? Generous).TotalSeconds:0} s waiting for {what}: {Describe()}\n{context?.Invoke()}");
            }
            await Task.Delay(50);
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[4096];
        try
        {
            while (!_disposed)
            {
                var read = _reader.Read(buffer);
                if (read <= 0) return;
                foreach (var b in buffer.AsSpan(0, read))
                {
                    if (b == '\n')
                    {
                        lock (_lines) _lines.Add(_partial.ToString());
                        _partial.Clear();
                    }
                    else
                    {
                        _partial.Append((char)b);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pty went away (unplugged) or the fake was disposed.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _writer.Dispose();
        // A read blocked in the kernel keeps its handle until the pty goes away; the thread is a background one.
        _reader.Dispose();
    }
}
