using System.Runtime.InteropServices;
using CanMesh.Bench.Anchors;
using CanMesh.Bench.Capture;

namespace CanMesh.Bench;

/// <summary>What the benchmark prints: plain text a person can paste into bench/README.md.</summary>
internal static class Report
{
    private const double Target = 1_000_000;

    public static void Header(TextWriter o, CaptureOptions options)
    {
        o.WriteLine($"canmesh-bench capture  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        o.WriteLine($"machine: {Environment.ProcessorCount} cores, {CpuModel()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {LoadAverage()}");
        o.WriteLine($"settings: {options.Describe()}");
    }

    public static void RunHeader(TextWriter o) =>
        o.WriteLine("run     frames/s  payload MB/s  seconds  CPU s (source)  frames/CPU-s  commits  db MB  peak RSS MB  GC heap MB  alloc B/frame (steady)  GCs 0/1/2  source waits");

    public static void RunLine(TextWriter o, int round, RunResult r) =>
        o.WriteLine($"{round,3}  {r.FramesPerSecond,11:N0}  {r.PayloadMegabytesPerSecond,12:F1}  {r.Seconds,7:F3}  {r.CpuSeconds,6:F2} ({r.SourceCpuSeconds,5:F2})  " +
                    $"{r.FramesPerCpuSecond,12:N0}  {r.Commits,7}  {Mb(r.DatabaseBytes),5:F1}  {Mb(r.PeakRssBytes),10:F1}{(r.PeakRssIsPerRun ? " " : "*")}  " +
                    $"{Mb(r.PeakGcHeapBytes),10:F1}  {r.AllocatedPerFrame,8:F2} ({r.SteadyAllocatedPerFrame,6:F3})       {r.Gen0}/{r.Gen1}/{r.Gen2}  {r.SourceWaits,12}");

    public static void Summary(TextWriter o, List<RunResult> runs, CaptureOptions options)
    {
        var rates = runs.Select(r => r.FramesPerSecond).ToList();
        var best = rates.Max();
        var median = Median(rates);
        o.WriteLine();
        o.WriteLine($"CanMesh {(options.WriterOnly ? "JournalWriter alone" : "capture pipeline")}: best {best:N0} frames/s, median {median:N0} frames/s " +
                    $"over {runs.Count} runs of {options.Frames:N0} frames (target {Target:N0}: best is {best / Target:P0} of it)");
        o.WriteLine($"  CPU: best {runs.Max(r => r.FramesPerCpuSecond):N0} frames per CPU-second (all threads); the source thread used {Median(runs.Select(r => r.SourceCpuSeconds / r.CpuSeconds).ToList()):P0} of it");
        o.WriteLine($"  payload: best {runs.Max(r => r.PayloadMegabytesPerSecond):F1} MB/s; database {Mb(runs[^1].DatabaseBytes):F1} MB for {runs[^1].Frames:N0} frames " +
                    $"({(double)runs[^1].DatabaseBytes / runs[^1].Frames:F1} B/frame); {runs[^1].Commits} commits per run");
        o.WriteLine($"  memory: peak RSS {Mb(runs.Max(r => r.PeakRssBytes)):F1} MB{(runs.All(r => r.PeakRssIsPerRun) ? "" : " (* process peak: VmHWM could not be reset)")}, " +
                    $"GC heap peak {Mb(runs.Max(r => r.PeakGcHeapBytes)):F1} MB, allocated {Median(runs.Select(r => r.AllocatedPerFrame).ToList()):F2} B/frame over a whole run " +
                    $"(batch pool filling included), {Median(runs.Select(r => r.SteadyAllocatedPerFrame).ToList()):F3} B/frame in the second half");
        o.WriteLine("  verified: every run's database holds exactly its frames, seq 1..N, all payload bytes, no event rows, zero drops");
    }

    public static void Anchors(TextWriter o, List<RunResult> runs, Dictionary<string, List<AnchorResult>> anchors)
    {
        var best = runs.Max(r => r.FramesPerSecond);
        var median = Median(runs.Select(r => r.FramesPerSecond).ToList());
        var perCpu = runs.Max(r => r.FramesPerCpuSecond);
        o.WriteLine();
        o.WriteLine("Same session, same rows, same transaction size and synchronous mode. frames/CPU-s: frames per second of CPU used");
        o.WriteLine("(all threads), which a shared machine disturbs less than wall time.");
        o.WriteLine();
        o.WriteLine("| path | frames/s best | frames/s median | CanMesh ÷ path (best, median) | frames/CPU-s best | CanMesh ÷ path per CPU-s |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|");
        o.WriteLine($"| CanMesh capture pipeline (C#) | {best:N0} | {median:N0} | 1.00, 1.00 | {perCpu:N0} | 1.00 |");
        foreach (var (name, results) in anchors)
        {
            var b = results.Max(r => r.FramesPerSecond);
            var m = Median(results.Select(r => r.FramesPerSecond).ToList());
            var c = results.Max(r => r.FramesPerCpuSecond);
            o.WriteLine($"| {name} | {b:N0} | {m:N0} | {best / b:F2}, {median / m:F2} | {c:N0} | {perCpu / c:F2} |");
        }
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Mb(long bytes) => bytes / 1e6;

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
