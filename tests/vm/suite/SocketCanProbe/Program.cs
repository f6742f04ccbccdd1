// socketcan-probe: runs CanMesh's SocketCanSource on the given interfaces without the store, and writes
// every frame it reads as a candump log line. Stops on SIGTERM/SIGINT and prints its counters.
//
//   socketcan-probe [--log FILE] [options] IFACE [[options] IFACE]...
//   options: --rcvbuf BYTES, --no-fd, --error-mask HEX, --filter ID:MASK (repeatable), --no-filters,
//            --timestamps kernel|hardware, --retry-ms N, --frames-per-read N
// Options apply to the interfaces named after them, so interfaces can be read with different settings.
//
// stderr: log lines, "event: KIND source message" per recorded event, "ready" once every interface is
// being read, and at exit one "counters: IFACE frames=.. kernel_drops=.. queue_drops=.. malformed=..
// error_frames=.. faults=.." line per interface.
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CanMesh.Capture.Configuration;
using CanMesh.Capture.Pipeline;
using CanMesh.Capture.Sources;
using CanMesh.Capture.Sources.SocketCan;
using CanMesh.Frames;
using CanMesh.Tests.Vm;
using Microsoft.Extensions.Logging;

var options = ProbeOptions.Parse(args);
if (options is null) return 2;

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
    .AddFilter(l => l >= LogLevel.Information));
// The console logger writes on its own thread; events go straight to stderr so tests see them in order.
using var stopping = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });

var pool = new FrameBatchPool(batchCapacity: 1024, maxRetained: 256);
var queue = new FrameQueue(capacityFrames: 4_000_000);
var resolver = new NameTable();
var stderrLock = new object();
var contexts = new List<(string Name, FrameSourceContext Context)>();
var threads = new List<Thread>();
foreach (var (name, settings) in options.Interfaces)
{
    var context = new FrameSourceContext(name, pool, queue.Writer, resolver,
        e => { lock (stderrLock) Console.Error.WriteLine($"event: {e.Kind} {e.Source} {e.Count} {e.Message}"); },
        loggerFactory.CreateLogger("socketcan." + name), TimeProvider.System);
    var source = new SocketCanSource(name, settings);
    var thread = new Thread(() => source.Run(context, stopping.Token)) { Name = "can-read-" + name, IsBackground = true };
    contexts.Add((name, context));
    threads.Add(thread);
    thread.Start();
}

using var output = options.LogPath is null ? Console.OpenStandardOutput() : File.Create(options.LogPath);
using var writer = new StreamWriter(output, bufferSize: 1 << 16);
var ready = false;
while (true)
{
    if (!ready && contexts.TrueForAll(c => c.Context.State == SourceState.Running))
    {
        ready = true;
        lock (stderrLock) Console.Error.WriteLine("ready");
    }
    if (queue.Reader.TryRead(TimeSpan.FromMilliseconds(50), out var batch) && batch is not null)
    {
        foreach (ref readonly var frame in batch.Frames) CandumpLine.Write(writer, in frame, resolver.NameOf(frame.InterfaceId));
        pool.Return(batch);
        continue;
    }
    if (stopping.IsCancellationRequested && threads.TrueForAll(t => !t.IsAlive))
    {
        queue.Writer.Complete();
        while (queue.Reader.TryRead(TimeSpan.Zero, out batch) && batch is not null)
        {
            foreach (ref readonly var frame in batch.Frames) CandumpLine.Write(writer, in frame, resolver.NameOf(frame.InterfaceId));
            pool.Return(batch);
        }
        break;
    }
}
writer.Flush();
foreach (var (name, context) in contexts)
{
    var c = context.Counters;
    Console.Error.WriteLine($"counters: {name} frames={c.Frames} kernel_drops={c.KernelDrops} queue_drops={c.QueueDrops} " +
        $"malformed={c.Malformed} error_frames={c.ErrorFrames} faults={c.Faults} state={context.State}");
}
return 0;

namespace CanMesh.Tests.Vm
{
    /// <summary>Numbers interfaces in the order they are first seen, as the store's interface table does.</summary>
    internal sealed class NameTable : IInterfaceResolver
    {
        private readonly ConcurrentDictionary<string, ushort> _ids = new();
        private readonly ConcurrentDictionary<ushort, string> _names = new();
        private int _next;

        public ushort Resolve(string interfaceName) => _ids.GetOrAdd(interfaceName, n =>
        {
            var id = (ushort)Interlocked.Increment(ref _next);
            _names[id] = n;
            return id;
        });

        public string NameOf(ushort id) => _names.TryGetValue(id, out var n) ? n : "?";
    }

    /// <summary>candump -l lines: "(sec.usec) iface frame", as can-utils writes them; formatted without allocating.</summary>
    internal static class CandumpLine
    {
        [ThreadStatic] private static char[]? t_line;

        public static void Write(TextWriter w, in CanFrame f, string iface)
        {
            var line = t_line ??= new char[256];
            var n = 0;
            line[n++] = '(';
            (f.TimestampNs / 1_000_000_000).TryFormat(line.AsSpan(n), out var c); n += c;
            line[n++] = '.';
            (f.TimestampNs % 1_000_000_000 / 1000).TryFormat(line.AsSpan(n), out c, "D6"); n += c;
            line[n++] = ')'; line[n++] = ' ';
            iface.CopyTo(line.AsSpan(n)); n += iface.Length;
            line[n++] = ' ';
            var id = f.IsError ? f.Id | 0x2000_0000 : f.Id;
            id.TryFormat(line.AsSpan(n), out c, f.IsError || f.IsExtended ? "X8" : "X3"); n += c;
            line[n++] = '#';
            if (f.IsFd)
            {
                var flags = ((f.Flags & CanFrameFlags.BitRateSwitch) != 0 ? 1 : 0) | ((f.Flags & CanFrameFlags.ErrorStateIndicator) != 0 ? 2 : 0);
                line[n++] = '#';
                line[n++] = Hex(flags);
            }
            if (f.IsRemote)
            {
                line[n++] = 'R';
                if (f.Length > 0) line[n++] = Hex(f.Length);
            }
            else
            {
                foreach (var b in f.ReadOnlyData)
                {
                    line[n++] = Hex(b >> 4);
                    line[n++] = Hex(b & 0xF);
                }
                if (f.Len8Dlc != 0) { line[n++] = '_'; line[n++] = Hex(f.Len8Dlc); }
            }
            line[n++] = '\n';
            w.Write(line, 0, n);
        }

        private static char Hex(int v) => "0123456789ABCDEF"[v & 0xF];
    }

    internal sealed record ProbeOptions((string Name, SocketCanSettings Settings)[] Interfaces, string? LogPath)
    {
        public static ProbeOptions? Parse(string[] args)
        {
            var interfaces = new List<(string, SocketCanSettings)>();
            var filters = new List<CanFilter>();
            var settings = new SocketCanSettings { ReceiveBufferBytes = 16 << 20, RetryInterval = TimeSpan.FromMilliseconds(500) };
            string? log = null;
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--log": log = Next(); break;
                    case "--rcvbuf": settings = settings with { ReceiveBufferBytes = long.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) }; break;
                    case "--no-fd": settings = settings with { Fd = false }; break;
                    case "--error-mask": settings = settings with { ErrorMask = uint.Parse(Next(), System.Globalization.NumberStyles.HexNumber, null) }; break;
                    case "--timestamps": settings = settings with { Timestamps = Enum.Parse<TimestampSource>(Next(), ignoreCase: true) }; break;
                    case "--retry-ms": settings = settings with { RetryInterval = TimeSpan.FromMilliseconds(int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)) }; break;
                    case "--frames-per-read": settings = settings with { FramesPerRead = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) }; break;
                    case "--no-filters": filters.Clear(); break;
                    case "--filter":
                        if (!CanFilter.TryParse(Next(), out var filter, out var error)) { Console.Error.WriteLine($"--filter: {error}"); return null; }
                        filters.Add(filter);
                        break;
                    default:
                        if (args[i].StartsWith('-')) { Console.Error.WriteLine($"unknown option {args[i]}"); return null; }
                        interfaces.Add((args[i], settings with { Filters = filters.ToArray() }));
                        break;
                }
            }
            if (interfaces.Count == 0) { Console.Error.WriteLine("usage: socketcan-probe [options] IFACE..."); return null; }
            return new ProbeOptions([.. interfaces], log);
        }
    }
}
