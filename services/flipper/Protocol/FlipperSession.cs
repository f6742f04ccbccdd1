namespace CanMesh.Flipper.Protocol;

/// <summary>
/// The protocol's state on one open device: silent until INIT; after INIT an ACK, then STATS every interval
/// (the first right after the ACK); STOP makes it silent again until the next INIT. A reopen starts silent.
/// </summary>
internal sealed class FlipperSession(TimeSpan interval)
{
    private readonly long _intervalMs = Math.Max(1, (long)interval.TotalMilliseconds);
    private long _nextStatsAt;

    /// <summary>True between an INIT and a STOP (or the device's close).</summary>
    public bool Active { get; private set; }

    /// <summary>STATS lines due so far in this session (counted when <see cref="StatsDue"/> says yes).</summary>
    public long StatsInSession { get; private set; }

    /// <summary>Takes one line from the Flipper at <paramref name="nowMs"/> (a monotonic clock) and says what it was.</summary>
    public FlipperCommandKind Handle(string line, long nowMs)
    {
        var command = FlipperCommand.Parse(line);
        switch (command)
        {
            case FlipperCommandKind.Init:
                // A repeated INIT (the app restarted) restarts the session: another ACK, STATS from now on.
                Active = true;
                StatsInSession = 0;
                _nextStatsAt = nowMs;
                break;
            case FlipperCommandKind.Stop:
                Active = false;
                break;
        }
        return command;
    }

    /// <summary>True when a STATS line should go out now; moves the schedule on by one interval.</summary>
    public bool StatsDue(long nowMs)
    {
        if (!Active || nowMs < _nextStatsAt) return false;
        _nextStatsAt += _intervalMs;
        // After a stall (a slow write, a busy machine) the schedule restarts rather than bursting to catch up.
        if (_nextStatsAt <= nowMs) _nextStatsAt = nowMs + _intervalMs;
        StatsInSession++;
        return true;
    }

    /// <summary>The device was closed: silent until the next INIT.</summary>
    public void Reset()
    {
        Active = false;
        StatsInSession = 0;
    }
}
