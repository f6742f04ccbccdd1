using System.Diagnostics;
using CanMesh.Forwarder.Hosting;
using CanMesh.Forwarder.Postgres;
using CanMesh.Forwarder.Stats;
using Microsoft.Extensions.Logging;

namespace CanMesh.Forwarder.Forwarding;

/// <summary>
/// Turns a stream of failed and successful attempts into one log line per change of state (unreachable,
/// password refused, back again, ...), not one per retry, and keeps the stats' state, retries and last error.
/// </summary>
internal sealed class PostgresOutage(ILogger logger, string postgres, TimeSpan maxDelay, ForwarderStats stats)
{
    private PostgresState _state = PostgresState.Connected;
    private long _outageStarted;
    private long _retriesThisOutage;

    public PostgresState State => _state;

    public void Failed(Exception error)
    {
        var state = PostgresErrors.Classify(error);
        var description = PostgresErrors.Describe(error);
        stats.RecordFailure(state, description);
        _retriesThisOutage++;
        if (_state == PostgresState.Connected) _outageStarted = Stopwatch.GetTimestamp();
        if (state == _state) return;
        _state = state;
        ForwarderLog.PostgresTrouble(logger, postgres, Name(state), PostgresErrors.Advice(state), description, (long)maxDelay.TotalMilliseconds);
    }

    public void Succeeded()
    {
        if (_state == PostgresState.Connected) return;
        ForwarderLog.PostgresBack(logger, postgres, Stopwatch.GetElapsedTime(_outageStarted).TotalSeconds, _retriesThisOutage);
        _state = PostgresState.Connected;
        _retriesThisOutage = 0;
        stats.RecordState(PostgresState.Connected);
    }

    public static string Name(PostgresState state) => state switch
    {
        PostgresState.Connected => "connected",
        PostgresState.Unreachable => "unreachable",
        PostgresState.Restarting => "restarting",
        PostgresState.Slow => "slow",
        PostgresState.DiskFull => "out of disk",
        PostgresState.PasswordRefused => "password refused",
        PostgresState.DatabaseMissing => "database missing",
        PostgresState.PermissionDenied => "permission denied",
        _ => "failing",
    };
}
