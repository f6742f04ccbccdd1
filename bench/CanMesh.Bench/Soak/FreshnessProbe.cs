using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace CanMesh.Bench.Soak;

/// <summary>
/// Bus-timestamp to PostgreSQL-commit latency, measured as freshness: every probe interval, on its own
/// connection, PostgreSQL is asked for synced_seq and the timestamp of the frame at that seq (both committed in
/// one transaction by the forwarder); the sample is the time the answer arrived minus that frame's timestamp.
/// The newest frame PostgreSQL holds was committed before the answer, so each sample is an upper bound of that
/// frame's own delay, and it includes the wait until the next commit that a frame arriving just after a commit
/// has: sampled at regular times, its distribution bounds the per-frame latency from above.
/// The sim stamps frames with the host's wall clock when it generates them, and the container shares that clock.
/// </summary>
internal sealed class FreshnessProbe
{
    // Two statements, the second with the values as parameters: a join let the planner scan every partition of
    // frames (0.7 s a probe, most of PostgreSQL's CPU), while a lookup by key is an index probe per day partition.
    private const string CaptureQuery = "SELECT capture_id, synced_seq FROM canmesh.captures WHERE synced_seq > 0";
    private const string FrameQuery = "SELECT ts FROM canmesh.frames WHERE capture_id = $1 AND seq = $2";

    private readonly string _connectionString;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock;
    private readonly SoakTimeline _timeline;
    private readonly TimeSpan _caughtUp;
    private readonly List<LatencyProbe> _probes = [];
    private long _syncedSeq;
    private long _failures;

    /// <param name="clock">The session's clock: probe times are seconds on it.</param>
    public FreshnessProbe(string connectionString, TimeSpan interval, Stopwatch clock, SoakTimeline timeline, TimeSpan caughtUp)
    {
        // Short timeouts: while PostgreSQL is down a probe must fail fast and try again on the next tick.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 2, CommandTimeout = 5 }.ConnectionString;
        _interval = interval;
        _clock = clock;
        _timeline = timeline;
        _caughtUp = caughtUp;
    }

    /// <summary>The newest synced_seq seen (it stays at its last value while PostgreSQL is away).</summary>
    public long SyncedSeq => Interlocked.Read(ref _syncedSeq);

    /// <summary>Probes that got no answer (PostgreSQL down or restarting).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The probes answered between two session times (seconds), latency in milliseconds.</summary>
    public List<LatencyProbe> Between(double from, double to)
    {
        lock (_probes) return _probes.Where(p => p.Seconds >= from && p.Seconds < to).ToList();
    }

    public List<LatencyProbe> All()
    {
        lock (_probes) return [.. _probes];
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        NpgsqlConnection? connection = null;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(_connectionString);
                        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    }
                    await ProbeOnceAsync(connection, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or IOException or SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failures);
                    if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ProbeOnceAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        Guid capture;
        long seq;
        DateTime ts;
        try
        {
            await using (var command = new NpgsqlCommand(CaptureQuery, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                // No row before the forwarder's first commit (or before it created its schema).
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return;
                (capture, seq) = (reader.GetGuid(0), reader.GetInt64(1));
            }
            await using var lookup = new NpgsqlCommand(FrameQuery, connection) { Parameters = { new() { Value = capture }, new() { Value = seq } } };
            ts = (DateTime)(await lookup.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return;
        }
        var answered = DateTime.UtcNow;
        var seconds = _clock.Elapsed.TotalSeconds;
        var latencyMs = (answered - ts).TotalMilliseconds;
        Interlocked.Exchange(ref _syncedSeq, seq);
        var phase = _timeline.PhaseAt(seconds);
        // An answer means PostgreSQL is back, even before the session's restart call has seen it ready.
        if (phase == SoakPhases.Outage) phase = SoakPhases.Drain;
        if (phase == SoakPhases.Drain && latencyMs <= _caughtUp.TotalMilliseconds)
        {
            _timeline.MarkCaughtUp(seconds);
            phase = SoakPhases.After;
        }
        lock (_probes) _probes.Add(new LatencyProbe(seconds, seq, latencyMs, phase));
    }
}

/// <summary>One answered probe: session seconds, synced_seq, freshness in ms, and the phase it fell in.</summary>
internal readonly record struct LatencyProbe(double Seconds, long SyncedSeq, double LatencyMs, string Phase);
