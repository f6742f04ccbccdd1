namespace CanMesh.Bench.Soak;

/// <summary>
/// Where the run stands: the phases are set as they happen (the outage by the session, the end of the drain by the
/// latency probe), so every CSV row and probe carries the phase it was taken in.
/// </summary>
internal sealed class SoakTimeline
{
    private readonly TimeSpan _warmup;
    private double _outageStarted = double.NaN;
    private double _postgresBack = double.NaN;
    private double _caughtUp = double.NaN;

    public SoakTimeline(TimeSpan warmup, bool outage)
    {
        _warmup = warmup;
        HasOutage = outage;
    }

    public bool HasOutage { get; }

    /// <summary>Seconds since the start when PostgreSQL was stopped, answered again, and the backlog was drained; NaN until then.</summary>
    public double OutageStarted => Volatile.Read(ref _outageStarted);
    public double PostgresBack => Volatile.Read(ref _postgresBack);
    public double CaughtUp => Volatile.Read(ref _caughtUp);

    public void MarkOutageStarted(double seconds) => Volatile.Write(ref _outageStarted, seconds);
    public void MarkPostgresBack(double seconds) => Volatile.Write(ref _postgresBack, seconds);
    public void MarkCaughtUp(double seconds) => Volatile.Write(ref _caughtUp, seconds);

    public string PhaseAt(double seconds)
    {
        if (seconds < _warmup.TotalSeconds) return SoakPhases.Warmup;
        if (!HasOutage) return SoakPhases.Steady;
        if (double.IsNaN(OutageStarted) || seconds < OutageStarted) return SoakPhases.Before;
        if (double.IsNaN(PostgresBack) || seconds < PostgresBack) return SoakPhases.Outage;
        if (double.IsNaN(CaughtUp) || seconds < CaughtUp) return SoakPhases.Drain;
        return SoakPhases.After;
    }
}

internal static class SoakPhases
{
    public const string Warmup = "warmup";
    public const string Steady = "steady";
    public const string Before = "before";
    public const string Outage = "outage";
    public const string Drain = "drain";
    public const string After = "after";

    /// <summary>In the order the summary lists them.</summary>
    public static readonly string[] All = [Warmup, Steady, Before, Outage, Drain, After];
}
