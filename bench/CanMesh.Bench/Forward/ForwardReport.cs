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
        o.WriteLine("run  fwd  frames/s  seconds  1st commit s  steady frames/s  CPU s fwd+capture+pg  fwd RSS MB  |  anchor rows/s  seconds  pg CPU s  file MB  export s  |  ÷ anchor  load");
    }

    /// <param name="anchorRowsPerSecond">The round's anchor (it runs after the first build's drain), for the ratio.</param>
    public static void RunLine(TextWriter o, ForwardRun r, double anchorRowsPerSecond) =>
        o.WriteLine($"{r.Round,3}  {r.Forwarder,3}  {r.FramesPerSecond,8:N0}  {r.Seconds,7:F2}  {r.FirstCommitSeconds,12:F2}  {r.SteadyFramesPerSecond,15:N0}  " +
                    $"{$"{r.ForwarderCpuSeconds:F1}+{r.CaptureCpuSeconds:F1}+{r.PostgresCpuSeconds:F1}",20}  {r.ForwarderPeakBytes / 1e6,10:F0}  |  " +
                    (r.HasAnchor
                        ? $"{r.AnchorRowsPerSecond,13:N0}  {r.AnchorSeconds,7:F2}  {r.AnchorPostgresCpuSeconds,8:F1}  {r.AnchorFileBytes / 1e6,7:F0}  {r.ExportSeconds,8:F2}  |  "
                        : $"{"-",13}  {"-",7}  {"-",8}  {"-",7}  {"-",8}  |  ") +
                    $"{r.FramesPerSecond / anchorRowsPerSecond,8:F2}  {r.LoadAverage}");

    public static void Summary(TextWriter o, List<ForwardRun> runs, ForwardOptions options)
    {
        var anchors = runs.Where(r => r.HasAnchor).ToList();
        var anchor = anchors.Select(r => r.AnchorRowsPerSecond).ToList();
        var (aBest, aMedian) = (anchor.Max(), Report.Median(anchor));
        var frames = runs[0].Frames;
        var builds = runs.GroupBy(r => r.Forwarder).OrderBy(g => g.Key).ToList();

        o.WriteLine();
        o.WriteLine($"verified: every run's canmesh.frames held exactly {frames:N0} rows, seq 1..{frames:N0}, every payload byte, synced_seq = synced_frames = {frames:N0}; " +
                    "the forwarder stopped cleanly (exit 0); the anchor loaded the same row count");
        foreach (var build in builds)
        {
            var list = build.ToList();
            o.WriteLine($"CPU per {frames:N0} frames (median), forwarder {build.Key}: forwarder {Median(list, r => r.ForwarderCpuSeconds):F1} s, capture {Median(list, r => r.CaptureCpuSeconds):F1} s, " +
                        $"PostgreSQL {Median(list, r => r.PostgresCpuSeconds):F1} s while forwarding; forwarder peak RSS {list.Max(r => r.ForwarderPeakBytes) / 1e6:F0} MB");
        }
        o.WriteLine($"CPU per {frames:N0} rows (median), anchor: PostgreSQL {Median(anchors, r => r.AnchorPostgresCpuSeconds):F1} s for the COPY FROM file");
        if (builds.Count > 1)
        {
            // Paired by round: both builds met the same neighbours' load, so the ratio is steadier than either figure.
            foreach (var build in builds.Skip(1))
            {
                var ratios = build.Select(b => b.FramesPerSecond / runs.First(a => a.Round == b.Round && a.Forwarder == builds[0].Key).FramesPerSecond).ToList();
                o.WriteLine($"forwarder {build.Key} ÷ {builds[0].Key}, paired by round: median {Report.Median(ratios):F2} (each round: {string.Join(", ", ratios.Select(x => x.ToString("F2")))})");
            }
        }
        o.WriteLine();
        o.WriteLine($"| path ({frames:N0} frames, {options.Runs} run{(options.Runs == 1 ? "" : "s")}) | frames/s best | frames/s median | seconds (median) | ÷ anchor (best, median) | ÷ target 300k (best, median) |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var build in builds)
        {
            var list = build.ToList();
            var name = builds.Count > 1 ? $"forwarder {build.Key}" : "forwarder";
            var total = list.Select(r => r.FramesPerSecond).ToList();
            var steady = list.Select(r => r.SteadyFramesPerSecond).ToList();
            var (fBest, fMedian) = (total.Max(), Report.Median(total));
            var (sBest, sMedian) = (steady.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max(), Report.Median(steady));
            o.WriteLine($"| {name}, start -> synced_seq = N | {fBest:N0} | {fMedian:N0} | {Median(list, r => r.Seconds):F2} | " +
                        $"{fBest / aBest:F2}, {fMedian / aMedian:F2} | {fBest / Target:F2}, {fMedian / Target:F2} |");
            o.WriteLine($"| {name}, first commit -> last (no start-up, schema, first block) | {sBest:N0} | {sMedian:N0} | " +
                        $"{Median(list, r => r.Seconds - r.FirstCommitSeconds):F2} | {sBest / aBest:F2}, {sMedian / aMedian:F2} | {sBest / Target:F2}, {sMedian / Target:F2} |");
        }
        o.WriteLine($"| anchor: server-side COPY FROM file (FORMAT binary), same rows, same table | {aBest:N0} | {aMedian:N0} | " +
                    $"{Median(anchors, r => r.AnchorSeconds):F2} | 1.00, 1.00 | {aBest / Target:F2}, {aMedian / Target:F2} |");
        o.WriteLine($"| target (issue 9) | {Target:N0} | | | {Target / aBest:F2}, {Target / aMedian:F2} | 1.00 |");
        o.WriteLine();
        foreach (var build in builds)
        {
            var median = Median(build.ToList(), r => r.FramesPerSecond);
            var name = builds.Count > 1 ? $"forwarder {build.Key}" : "forwarder";
            o.WriteLine(median >= Target
                ? $"{name} median {median:N0} frames/s meets the {Target:N0} target ({median / Target:P0})"
                : $"{name} median {median:N0} frames/s is {median / Target:P0} of the {Target:N0} target");
        }
    }

    private static double Median(List<ForwardRun> runs, Func<ForwardRun, double> value) => Report.Median(runs.Select(value).ToList());
}
