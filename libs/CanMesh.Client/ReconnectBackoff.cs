namespace CanMesh.Client;

/// <summary>
/// Exponential backoff with full jitter (a uniformly random delay between zero and the doubling cap),
/// so clients that lost the same server do not come back in step. Reset after a stream that worked.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private int _failures;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero, nameof(initial));
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial, nameof(max));
        _initial = initial;
        _max = max;
        _random = random ?? Random.Shared;
    }

    /// <summary>Failed attempts since the last reset.</summary>
    public int Failures => _failures;

    /// <summary>The upper bound of the next delay: initial * 2^failures, capped.</summary>
    public TimeSpan Ceiling => TimeSpan.FromTicks((long)Math.Min(_max.Ticks, _initial.Ticks * Math.Pow(2, Math.Min(_failures, 62))));

    /// <summary>The delay before the next attempt; counts a failure.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling;
        _failures++;
        return TimeSpan.FromTicks((long)(_random.NextDouble() * ceiling.Ticks));
    }

    public void Reset() => _failures = 0;
}
