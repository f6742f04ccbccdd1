using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CanMesh.Bench.Capture;
using CanMesh.Cli.Formats;
using CanMesh.Cli.Offline;
using CanMesh.Frames;
using CanMesh.Store;

namespace CanMesh.Bench.Export;

/// <summary>
/// `canmesh-bench export`: how fast `canmesh export --db` writes a capture database to a file. Builds a database of N
/// frames once (the capture benchmark's frame pool, written with the store's own writer), then per run and format times
/// the export path canmesh runs (DatabaseSource -> Exporter -> the format's writer -> FileStream), in process so
/// allocation can be counted; the output is checked by its line count.
/// </summary>
internal static class ExportBenchmark
{
    public static Command Create()
    {
        var frames = new Option<long>("--frames", "-n") { Description = "Frames in the database.", DefaultValueFactory = _ => 5_000_000 };
        var runs = new Option<int>("--runs", "-r") { Description = "Measured runs per format (after one unmeasured warm-up); best and median are reported.", DefaultValueFactory = _ => 3 };
        var formats = new Option<string>("--formats") { Description = "Formats to time, comma separated.", DefaultValueFactory = _ => "candump,asc,csv" };
        var fdShare = new Option<double>("--fd-share") { Description = "Share of CAN FD frames (12..64 bytes), 0..1.", DefaultValueFactory = _ => 0 };
        var extendedShare = new Option<double>("--extended-share") { Description = "Share of identifiers that are 29-bit, 0..1.", DefaultValueFactory = _ => 0.25 };
        var directory = new Option<string>("--dir")
        {
            Description = "Folder for the database and the exported files (deleted afterwards unless --keep).",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "canmesh-bench-export"),
            HelpName = "PATH",
        };
        var keep = new Option<bool>("--keep") { Description = "Keep the database and the last exported file of each format." };
        var command = new Command("export",
            "Offline export speed: a capture database of N frames (written once with the store's writer) exported with canmesh's own export path to a " +
            "file per run, for each format; prints frames/s (best, median), MB/s, bytes allocated per frame and the machine load. Target: 1,000,000 frames/s for candump.")
        {
            frames, runs, formats, fdShare, extendedShare, directory, keep,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var names = parse.GetValue(formats)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var chosen = names.Select(FrameLogFormats.Find).ToList();
            if (chosen.Any(f => f is null) || parse.GetValue(frames) < 1 || parse.GetValue(runs) < 1)
            {
                Console.Error.WriteLine($"--formats takes {FrameLogFormats.Names()}; --frames and --runs must be at least 1.");
                return 2;
            }
            var dir = parse.GetValue(directory)!;
            Directory.CreateDirectory(dir);
            var db = Path.Combine(dir, "export-bench.db");
            try
            {
                Console.WriteLine($"canmesh-bench export: {parse.GetValue(frames):N0} frames, {parse.GetValue(runs)} runs per format, fd-share {parse.GetValue(fdShare)}, " +
                    $"{Environment.ProcessorCount} cores, {Load()}");
                var build = Stopwatch.StartNew();
                Build(db, parse.GetValue(frames), parse.GetValue(extendedShare), parse.GetValue(fdShare));
                Console.WriteLine($"database built in {build.Elapsed.TotalSeconds:0.0} s: {new FileInfo(db).Length / 1e6:0} MB");
                Console.WriteLine($"{"format",-8} {"run",4} {"frames/s",12} {"MB/s",8} {"seconds",8} {"file MB",8} {"B alloc/frame",14}");
                foreach (var format in chosen.OfType<FrameLogFormat>())
                {
                    var rates = new List<double>();
                    for (var run = 0; run <= parse.GetValue(runs); run++)
                    {
                        var output = Path.Combine(dir, "export." + format.Name);
                        var (count, seconds, allocated) = await RunOnceAsync(db, format, output, cancellationToken);
                        var bytes = new FileInfo(output).Length;
                        if (count != parse.GetValue(frames)) throw new InvalidOperationException($"{format.Name}: exported {count} frames, expected {parse.GetValue(frames)}");
                        var label = run == 0 ? "warm" : run.ToString(CultureInfo.InvariantCulture);
                        Console.WriteLine($"{format.Name,-8} {label,4} {count / seconds,12:N0} {bytes / seconds / 1e6,8:0} {seconds,8:0.00} {bytes / 1e6,8:0} {allocated / (double)count,14:0.000}");
                        if (run > 0) rates.Add(count / seconds);
                        if (!parse.GetValue(keep) || run < parse.GetValue(runs)) File.Delete(output);
                    }
                    rates.Sort();
                    Console.WriteLine($"{format.Name}: best {rates[^1]:N0} frames/s, median {Report.Median(rates):N0} frames/s" +
                        (format.Name == "candump" ? $" (target 1,000,000: {(rates[^1] >= 1_000_000 ? "met" : "not met")})" : ""));
                }
                Console.WriteLine($"after: {Load()}");
                return 0;
            }
            finally
            {
                if (!parse.GetValue(keep))
                {
                    foreach (var file in Directory.GetFiles(dir, "export-bench.db*")) File.Delete(file);
                }
            }
        });
        return command;
    }

    /// <summary>One export, timed from opening the database to the file's last byte written.</summary>
    private static async Task<(long Frames, double Seconds, long Allocated)> RunOnceAsync(string db, FrameLogFormat format, string output, CancellationToken cancellationToken)
    {
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long count;
        await using (var source = DatabaseSource.Open(db, new ExportSelection()))
        await using (var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            count = await Exporter.RunAsync(source, format, stream, null, cancellationToken);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return (count, seconds, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    /// <summary>N frames of the capture benchmark's pool, laps moving on in time, through the store's writer.</summary>
    private static void Build(string path, long frames, double extendedShare, double fdShare)
    {
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*")) File.Delete(file);
        var pool = FramePool.Generate(65_536, extendedShare, fdShare);
        using var journal = FrameJournal.Open(new StoreSettings { Path = path, Synchronous = SynchronousMode.Normal });
        var ids = FramePool.InterfaceNames.Select(journal.Interfaces.Resolve).ToArray();
        using var writer = journal.CreateWriter();
        var block = new CanFrame[pool.Count];
        long written = 0, lap = 0;
        while (written < frames)
        {
            var n = (int)Math.Min(pool.Count, frames - written);
            pool.Frames[..n].CopyTo(block);
            for (var i = 0; i < n; i++)
            {
                block[i].TimestampNs += FramePool.FirstTimestampNs + lap * pool.SpanNs;
                block[i].InterfaceId = ids[block[i].InterfaceId];
            }
            writer.Append(block.AsSpan(0, n));
            writer.Commit(0);
            written += n;
            lap++;
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "load unknown";
}
