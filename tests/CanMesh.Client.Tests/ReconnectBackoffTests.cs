namespace CanMesh.Client.Tests;

/// <summary>Exponential backoff with full jitter: each delay is uniform under a ceiling that doubles up to the cap.</summary>
public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Ceilings_double_from_the_initial_delay_up_to_the_cap_and_reset()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), new Random(1));
        var ceilings = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            ceilings.Add(backoff.Ceiling.TotalMilliseconds);
            backoff.Next();
        }

        Assert.Equal([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000, 10_000, 10_000], ceilings);
        backoff.Reset();
        Assert.Equal(100, backoff.Ceiling.TotalMilliseconds);
        Assert.Equal(0, backoff.Failures);
    }

    [Fact]
    public void Delays_are_spread_over_the_whole_range_under_the_ceiling()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), new Random(7));
        var delays = Enumerable.Range(0, 2_000).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, 0, 1000));
        // Full jitter: not clustered at the ceiling (equal jitter would never go under 500).
        Assert.InRange(delays.Count(d => d < 250), 400, 600);
        Assert.InRange(delays.Average(), 450, 550);
    }

    [Fact]
    public void Thousands_of_failures_stay_at_the_cap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromHours(1), TimeSpan.FromDays(1));
        for (var i = 0; i < 5_000; i++) Assert.InRange(backoff.Next(), TimeSpan.Zero, TimeSpan.FromDays(1));
        Assert.Equal(TimeSpan.FromDays(1), backoff.Ceiling);
    }
}
