namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// Capped exponential backoff with full jitter: the n-th wait is uniform in [0, min(max, initial * 2^(n-1))], so
/// a fleet of forwarders that lost the same server do not come back in step. <see cref="Reset"/> after a success.
/// </summary>
internal sealed class RetryBackoff(TimeSpan initial, TimeSpan max)
{
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        _failures++;
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    public void Reset() => _failures = 0;
}
