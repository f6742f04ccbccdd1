using CanMesh.Bench.Anchors;
using CanMesh.Bench.Capture;

namespace CanMesh.Bench;

/// <summary>
/// A benchmark session: the capture runs and, when asked, the anchors, interleaved round by round so that
/// a neighbour's load on a shared machine falls on both sides of each ratio.
/// </summary>
internal sealed class Session
{
    private readonly CaptureOptions _options;
    private readonly TextWriter _out;

    public Session(CaptureOptions options, TextWriter output)
    {
        _options = options;
        _out = output;
    }

    public int Run(bool anchors, long pythonFrames, int pythonBatch)
    {
        Directory.CreateDirectory(_options.Directory);
        Report.Header(_out, _options);
        var pool = FramePool.Generate(_options.PoolFrames, _options.ExtendedShare, _options.FdShare);
        _out.WriteLine($"pool: {pool.Count:N0} frames, {(double)pool.PayloadBytes / pool.Count:F2} payload bytes per frame on average");
        var benchmark = new CaptureBenchmark(_options, pool);

        AnchorRunner? runner = null;
        var paths = new List<(string Name, string? Executable)>();
        var anchorResults = new Dictionary<string, List<AnchorResult>>();
        if (anchors)
        {
            runner = new AnchorRunner(_options.Directory, pool);
            foreach (var (name, bundled) in new[] { ("C loop, system libsqlite3", false), ("C loop, CanMesh's e_sqlite3", true) })
            {
                var executable = runner.CompileC(bundled, out var why);
                if (executable is null) _out.WriteLine($"anchor \"{name}\" skipped: {why}");
                else paths.Add((name, executable));
            }
        }

        try
        {
            if (runner is not null && pythonFrames > 0)
            {
                _out.WriteLine($"anchor seed Python path: {pythonFrames:N0} frames, executemany + commit per {pythonBatch:N0} rows ...");
                var python = runner.RunPython(pythonFrames, pythonBatch, _options.Synchronous);
                anchorResults[$"seed Python path (python3 sqlite3, {pythonBatch:N0} rows per commit)"] = [python];
                _out.WriteLine($"  {python.FramesPerSecond,12:N0} frames/s  {python.Seconds:F2} s, {python.FramesPerCpuSecond:N0} frames/CPU-s, SQLite {python.SqliteVersion}");
            }

            if (_options.WarmupFrames > 0)
            {
                var warm = benchmark.Run(_options.WarmupFrames, "warmup");
                _out.WriteLine($"warm-up: {warm.FramesPerSecond:N0} frames/s (not counted)");
            }

            var runs = new List<RunResult>();
            Report.RunHeader(_out);
            for (var round = 1; round <= _options.Runs; round++)
            {
                foreach (var (name, executable) in paths)
                {
                    var result = runner!.RunC(executable!, _options.Frames, _options.Pipeline.CommitMaxFrames, _options.Synchronous);
                    if (!anchorResults.TryGetValue(name, out var list)) anchorResults[name] = list = [];
                    list.Add(result);
                    _out.WriteLine($"  anchor {name}: {result.FramesPerSecond:N0} frames/s ({result.Seconds:F3} s, {result.FramesPerCpuSecond:N0} frames/CPU-s, SQLite {result.SqliteVersion})");
                }
                var run = benchmark.Run(_options.Frames, $"run{round}");
                runs.Add(run);
                Report.RunLine(_out, round, run);
            }

            Report.Summary(_out, runs, _options);
            if (anchorResults.Count > 0) Report.Anchors(_out, runs, anchorResults);
            return 0;
        }
        finally
        {
            runner?.Cleanup();
        }
    }
}
