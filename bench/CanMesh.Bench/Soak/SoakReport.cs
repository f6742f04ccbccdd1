namespace CanMesh.Bench.Soak;

/// <summary>The soak benchmark's output: a progress line a minute, and the summary per phase at the end.</summary>
internal static class SoakReport
{
    /// <summary>Nearest-rank percentile (0..100) of unsorted values; NaN for none.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double percent)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static void Progress(TextWriter o, SoakSample s, IReadOnlyList<LatencyProbe> lastMinute)
    {
        var latencies = lastMinute.Select(p => p.LatencyMs).ToList();
        o.WriteLine($"{s.Seconds / 60,5:F1} min {s.Phase,-7} committed {s.CommittedSeq,12:N0} ({s.CommittedPerSecond,7:N0}/s) synced {s.SyncedSeq,12:N0} ({s.SyncedPerSecond,7:N0}/s) " +
                    $"lag {s.LagFrames,10:N0} | latency p50 {Ms(Percentile(latencies, 50))} p99 {Ms(Percentile(latencies, 99))} | " +
                    $"CPU capture {s.CaptureCpuPercent,5:F1}% forwarder {s.ForwarderCpuPercent,5:F1}% postgres {s.PostgresCpuPercent,5:F1}% | " +
                    $"RSS capture {s.CaptureRssMb,5:F0} MB forwarder {s.ForwarderRssMb,5:F0} MB | load {s.LoadAverage1:F1}");
    }

    public static void Summary(TextWriter o, IReadOnlyList<SoakSample> samples, IReadOnlyList<LatencyProbe> probes, SoakTimeline timeline, DrainResult? drain)
    {
        o.WriteLine();
        o.WriteLine("| phase | minutes | committed frames/s | synced frames/s | latency p50 ms | latency p99 ms | latency max ms | probes | CPU % capture | CPU % forwarder | CPU % capture + forwarder | CPU % PostgreSQL | RSS MB capture min-max | RSS MB forwarder min-max | load avg 1 min |");
        o.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var phase in SoakPhases.All)
        {
            var rows = samples.Where(s => s.Phase == phase).ToList();
            if (rows.Count == 0) continue;
            var latencies = probes.Where(p => p.Phase == phase).Select(p => p.LatencyMs).ToList();
            var minutes = rows.Count * (rows.Count > 1 ? (rows[^1].Seconds - rows[0].Seconds) / (rows.Count - 1) : 0) / 60;
            o.WriteLine($"| {phase} | {minutes:F1} | {Mean(rows, r => r.CommittedPerSecond):N0} | {Mean(rows, r => r.SyncedPerSecond):N0} | " +
                        $"{Ms(Percentile(latencies, 50))} | {Ms(Percentile(latencies, 99))} | {Ms(latencies.Count > 0 ? latencies.Max() : double.NaN)} | {latencies.Count:N0} | " +
                        $"{Mean(rows, r => r.CaptureCpuPercent):F2} | {Mean(rows, r => r.ForwarderCpuPercent):F2} | {Mean(rows, r => r.ServicesCpuPercent):F2} | {Mean(rows, r => r.PostgresCpuPercent):F2} | " +
                        $"{rows.Min(r => r.CaptureRssMb):F0}-{rows.Max(r => r.CaptureRssMb):F0} | {rows.Min(r => r.ForwarderRssMb):F0}-{rows.Max(r => r.ForwarderRssMb):F0} | " +
                        $"{Mean(rows, r => r.LoadAverage1):F1} |");
        }
        var measured = samples.Where(s => s.Phase is SoakPhases.Steady or SoakPhases.Before or SoakPhases.After).ToList();
        if (measured.Count > 0)
        {
            var p99 = Percentile(probes.Where(p => p.Phase is SoakPhases.Steady or SoakPhases.Before or SoakPhases.After).Select(p => p.LatencyMs).ToList(), 99);
            o.WriteLine();
            o.WriteLine($"forwarding normally ({string.Join(", ", measured.Select(s => s.Phase).Distinct())}): latency p99 {Ms(p99)} (target < 500 ms); " +
                        $"capture + forwarder CPU {Mean(measured, r => r.ServicesCpuPercent):F2} % of one core (target < 10 %), PostgreSQL {Mean(measured, r => r.PostgresCpuPercent):F2} %");
        }
        var outage = samples.Where(s => s.Phase == SoakPhases.Outage).ToList();
        if (outage.Count > 1)
        {
            o.WriteLine($"capture RSS while PostgreSQL was down ({outage.Count} samples over {(outage[^1].Seconds - outage[0].Seconds) / 60:F1} min): " +
                        $"min {outage.Min(s => s.CaptureRssMb):F1} MB, max {outage.Max(s => s.CaptureRssMb):F1} MB, slope {SlopePerMinute(outage, s => s.CaptureRssMb):+0.00;-0.00} MB/min " +
                        $"(target < 150 MB and flat; RssAnon {outage.Min(s => s.CaptureRssAnonMb):F1}-{outage.Max(s => s.CaptureRssAnonMb):F1} MB); forwarder RSS min {outage.Min(s => s.ForwarderRssMb):F1} MB, max {outage.Max(s => s.ForwarderRssMb):F1} MB; " +
                        $"backlog grew to {outage.Max(s => s.LagFrames):N0} frames");
        }
        if (timeline.HasOutage)
        {
            o.WriteLine($"outage: PostgreSQL stopped at {Minutes(timeline.OutageStarted)}, answering again at {Minutes(timeline.PostgresBack)}, backlog drained at {Minutes(timeline.CaughtUp)}");
        }
        if (drain is { } d)
        {
            o.WriteLine($"drain: backlog {d.BacklogFrames:N0} frames when PostgreSQL answered again; first forwarder commit {d.FirstCommitSeconds:F1} s later; " +
                        $"caught up (newest frame in PostgreSQL < {d.CaughtUpLatencyMs:F0} ms old) after {d.Seconds:F1} s; " +
                        $"{d.FramesPerSecond:N0} frames/s into PostgreSQL while draining (from the first commit: {d.FromFirstCommitFramesPerSecond:N0} frames/s), " +
                        $"{d.FramesPerSecond - d.CaptureRate:N0} frames/s net of the {d.CaptureRate:N0} frames/s still arriving");
        }
    }

    public static double Mean(IReadOnlyList<SoakSample> rows, Func<SoakSample, double> value)
    {
        var values = rows.Select(value).Where(v => !double.IsNaN(v)).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    /// <summary>Least-squares slope per minute: a memory leak shows as a steady positive slope, a GC's sawtooth as none.</summary>
    public static double SlopePerMinute(IReadOnlyList<SoakSample> rows, Func<SoakSample, double> value)
    {
        var meanT = rows.Average(r => r.Seconds);
        var meanV = rows.Average(value);
        var covariance = rows.Sum(r => (r.Seconds - meanT) * (value(r) - meanV));
        var variance = rows.Sum(r => (r.Seconds - meanT) * (r.Seconds - meanT));
        return variance == 0 ? 0 : covariance / variance * 60;
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Minutes(double seconds) => double.IsNaN(seconds) ? "(never)" : $"{seconds / 60:F2} min";
}

/// <summary>How the backlog went into PostgreSQL after it came back.</summary>
internal readonly record struct DrainResult(
    long BacklogFrames, double FirstCommitSeconds, double Seconds, double FramesPerSecond, double FromFirstCommitFramesPerSecond, double CaptureRate, double CaughtUpLatencyMs);
