namespace CanMesh.Bench.Soak;

/// <summary>
/// Turns a cumulative CPU-seconds counter into % of one core per interval. A counter that went backwards
/// started again (PostgreSQL's container cgroup is created anew by docker start), so its whole value is the
/// interval's use then.
/// </summary>
internal sealed class CpuMeter
{
    private readonly Func<double> _cpuSeconds;
    private double _last;

    public CpuMeter(Func<double> cpuSeconds)
    {
        _cpuSeconds = cpuSeconds;
        _last = cpuSeconds();
    }

    /// <summary>CPU used since the last call, as % of one core over <paramref name="seconds"/>; NaN if the counter is unreadable.</summary>
    public double PercentOver(double seconds)
    {
        var now = _cpuSeconds();
        if (double.IsNaN(now)) return double.NaN;
        var used = double.IsNaN(_last) || now < _last ? now : now - _last;
        _last = now;
        return used / seconds * 100;
    }
}
