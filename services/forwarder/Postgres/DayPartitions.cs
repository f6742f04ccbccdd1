using System.Globalization;
using Npgsql;

namespace CanMesh.Forwarder.Postgres;

/// <summary>
/// Creates frames' partition for each UTC day frames arrive for (frames_YYYYMMDD), before the transaction that
/// copies them: a partition must exist before a row can go in, and there is no default partition, because
/// one holding rows would forbid creating the day's partition later. Creation runs in its own short
/// transaction under an advisory lock, so forwarders of several captures never race on the same day.
/// </summary>
internal sealed class DayPartitions
{
    private const long NanosecondsPerDay = 86_400_000_000_000;

    private readonly string _schema;
    private readonly HashSet<long> _known = [];

    public DayPartitions(string schema) => _schema = schema;

    /// <summary>The UTC day number (days since 1970-01-01) of a timestamp in ns since the epoch.</summary>
    public static long DayOf(long timestampNs) => timestampNs >= 0 ? timestampNs / NanosecondsPerDay : (timestampNs + 1) / NanosecondsPerDay - 1;

    public bool IsKnown(long day) => _known.Contains(day);

    /// <summary>Makes sure each day's partition exists; days seen before cost nothing.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, IReadOnlyCollection<long> days, CancellationToken cancellationToken)
    {
        var missing = days.Where(d => !_known.Contains(d)).ToArray();
        if (missing.Length == 0) return;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
            {
                lockCommand.Parameters.Add(new NpgsqlParameter { Value = $"canmesh partitions {_schema}" });
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var day in missing)
            {
                var from = DateTime.UnixEpoch.AddDays(day);
                var to = from.AddDays(1);
                var sql = string.Create(CultureInfo.InvariantCulture,
                    $"CREATE TABLE IF NOT EXISTS {_schema}.frames_{from:yyyyMMdd} PARTITION OF {_schema}.frames FOR VALUES FROM ('{from:yyyy-MM-dd} 00:00:00+00') TO ('{to:yyyy-MM-dd} 00:00:00+00')");
                await using var create = new NpgsqlCommand(sql, connection, transaction);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var day in missing) _known.Add(day);
    }

    /// <summary>After an outage the database may have been restored or recreated: check again.</summary>
    public void Forget() => _known.Clear();
}
