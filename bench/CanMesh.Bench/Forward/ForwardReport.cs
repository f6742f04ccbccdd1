using CanMesh.Bench.Stream;

namespace CanMesh.Bench.Forward;

/// <summary>What the forward benchmark prints: plain text and a markdown table to paste into bench/README.md.</summary>
internal static class ForwardReport
{
    /// <summary>Issue 9's target for a backlog drain into PostgreSQL.</summary>
    public const double Target = 300_000;

    public static void Header(TextWriter o, ForwardOptions options)
    {
        o.WriteLine($"canmesh-bench forward  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        o.WriteLine($"machine: {Environment.ProcessorCount} cores, {StreamReport.CpuModel()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
                    $".NET {Environment.Version}, load average {StreamReport.LoadAverage()}");
        o.WriteLine($"settings: {options.Describe()}");
    }

    public static void RunHeader(TextWriter o)
    {
        o.WriteLine();
        o.WriteLine("run  forwarder frames/s  seconds  1st commit s  steady frames/s  CPU s fwd+capture+pg  fwd RSS MB  |  anchor rows/s  seconds  pg CPU s  file MB  export s  |  ratio  load");
    }

    public static void RunLine(TextWriter o, ForwardRun r) =>
        o.WriteLine($"{r.Round,3}  {r.FramesPerSecond,18:N0}  {r.Seconds,7:F2}  {r.FirstCommitSeconds,12:F2}  {r.SteadyFramesPerSecond,15:N0}  " +
                    $"{$"{r.ForwarderCpuSeconds:F1}+{r.CaptureCpuSeconds:F1}+{r.PostgresCpuSeconds:F1}",20}  {r.ForwarderPeakBytes / 1e6,10:F0}  |  " +
                    $"{r.AnchorRowsPerSecond,13:N0}  {r.AnchorSeconds,7:F2}  {r.AnchorPostgresCpuSeconds,8:F1}  {r.AnchorFileBytes / 1e6,7:F0}  {r.ExportSeconds,8:F2}  |  " +
                    $"{r.FramesPerSecond / r.AnchorRowsPerSecond,5:F2}  {r.LoadAverage}");

    public static void Summary(TextWriter o, List<ForwardRun> runs, ForwardOptions options)
    {
        var forwarder = runs.Select(r => r.FramesPerSecond).ToList();
        var steady = runs.Select(r => r.SteadyFramesPerSecond).ToList();
        var anchor = runs.Select(r => r.AnchorRowsPerSecond).ToList();
        var (fBest, fMedian) = (forwarder.Max(), Report.Median(forwarder));
        var (sBest, sMedian) = (steady.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max(), Report.Median(steady));
        var (aBest, aMedian) = (anchor.Max(), Report.Median(anchor));
        var cpu = (Fwd: Report.Median(runs.Select(r => r.ForwarderCpuSeconds).ToList()), Capture: Report.Median(runs.Select(r => r.CaptureCpuSeconds).ToList()),
            Pg: Report.Median(runs.Select(r => r.PostgresCpuSeconds).ToList()), Anchor: Report.Median(runs.Select(r => r.AnchorPostgresCpuSeconds).ToList()));
        var frames = runs[0].Frames;

        o.WriteLine();
        o.WriteLine($"verified: every run's canmesh.frames held exactly {frames:N0} rows, seq 1..{frames:N0}, every payload byte, synced_seq = synced_frames = {frames:N0}; " +
                    "the forwarder stopped cleanly (exit 0); the anchor loaded the same row count");
        o.WriteLine($"CPU per {frames:N0} frames (median): forwarder {cpu.Fwd:F1} s, capture {cpu.Capture:F1} s, PostgreSQL {cpu.Pg:F1} s while forwarding; " +
                    $"PostgreSQL {cpu.Anchor:F1} s for the anchor's COPY FROM file");
        o.WriteLine();
        o.WriteLine($"| path ({frames:N0} frames, {runs.Count} run{(runs.Count == 1 ? "" : "s")}) | frames/s best | frames/s median | seconds (median) | ÷ anchor (best, median) | ÷ target 300k (best, median) |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|");
        o.WriteLine($"| forwarder, start -> synced_seq = N | {fBest:N0} | {fMedian:N0} | {Report.Median(runs.Select(r => r.Seconds).ToList()):F2} | " +
                    $"{fBest / aBest:F2}, {fMedian / aMedian:F2} | {fBest / Target:F2}, {fMedian / Target:F2} |");
        o.WriteLine($"| forwarder, first commit -> last (no start-up, schema, first block) | {sBest:N0} | {sMedian:N0} | " +
                    $"{Report.Median(runs.Select(r => r.Seconds - r.FirstCommitSeconds).ToList()):F2} | {sBest / aBest:F2}, {sMedian / aMedian:F2} | {sBest / Target:F2}, {sMedian / Target:F2} |");
        o.WriteLine($"| anchor: server-side COPY FROM file (FORMAT binary), same rows, same table | {aBest:N0} | {aMedian:N0} | " +
                    $"{Report.Median(runs.Select(r => r.AnchorSeconds).ToList()):F2} | 1.00, 1.00 | {aBest / Target:F2}, {aMedian / Target:F2} |");
        o.WriteLine($"| target (issue 9) | {Target:N0} | | | {Target / aBest:F2}, {Target / aMedian:F2} | 1.00 |");
        o.WriteLine();
        o.WriteLine(fMedian >= Target
            ? $"forwarder median {fMedian:N0} frames/s meets the {Target:N0} target ({fMedian / Target:P0})"
            : $"forwarder median {fMedian:N0} frames/s is {fMedian / Target:P0} of the {Target:N0} target");
    }
}
