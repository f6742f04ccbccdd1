using System.Globalization;

namespace CanMesh.Bench.Soak;

/// <summary>One sample interval: CPU and RSS per service, the seqs on both sides, rates, the latency probes' p50/p99.</summary>
internal sealed record SoakSample
{
    public required double Seconds { get; init; }
    public required string Phase { get; init; }
    public required double CaptureCpuPercent { get; init; }
    public required double CaptureRssMb { get; init; }

    /// <summary>RssAnon: the capture's own memory, without the file pages of SQLite's memory-mapped database.</summary>
    public required double CaptureRssAnonMb { get; init; }
    public required double ForwarderCpuPercent { get; init; }
    public required double ForwarderRssMb { get; init; }

    /// <summary>All of the container's processes (cgroup); 0 while it is stopped.</summary>
    public required double PostgresCpuPercent { get; init; }

    public required long CommittedSeq { get; init; }
    public required long SyncedSeq { get; init; }
    public required double CommittedPerSecond { get; init; }
    public required double SyncedPerSecond { get; init; }

    /// <summary>Latency probes answered in this interval, and their p50/p99 (NaN without any).</summary>
    public required int Probes { get; init; }
    public required double LatencyP50Ms { get; init; }
    public required double LatencyP99Ms { get; init; }

    public required double LoadAverage1 { get; init; }

    public long LagFrames => CommittedSeq - SyncedSeq;
    public double ServicesCpuPercent => CaptureCpuPercent + ForwarderCpuPercent;

    public const string CsvHeader =
        "seconds,phase,capture_cpu_pct,capture_rss_mb,capture_rss_anon_mb,forwarder_cpu_pct,forwarder_rss_mb,postgres_cpu_pct,committed_seq,synced_seq,lag_frames," +
        "committed_fps,synced_fps,probes,latency_p50_ms,latency_p99_ms,load1";

    public string ToCsv() => string.Join(',',
        F(Seconds, 1), Phase, F(CaptureCpuPercent, 2), F(CaptureRssMb, 1), F(CaptureRssAnonMb, 1), F(ForwarderCpuPercent, 2), F(ForwarderRssMb, 1), F(PostgresCpuPercent, 2),
        CommittedSeq.ToString(CultureInfo.InvariantCulture), SyncedSeq.ToString(CultureInfo.InvariantCulture), LagFrames.ToString(CultureInfo.InvariantCulture),
        F(CommittedPerSecond, 0), F(SyncedPerSecond, 0), Probes.ToString(CultureInfo.InvariantCulture), F(LatencyP50Ms, 1), F(LatencyP99Ms, 1), F(LoadAverage1, 2));

    private static string F(double value, int decimals) => double.IsNaN(value) ? "" : value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
