using CanMesh.Forwarder.Configuration;
using CanMesh.Forwarder.Forwarding;
using CanMesh.Forwarder.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace CanMesh.Forwarder.Postgres;

/// <summary>What one block's transaction did.</summary>
internal readonly record struct BlockWritten(ulong SyncedSeq, long Frames, long AlreadyThere, long Rejected, long Missing);

/// <summary>
/// Writes blocks into PostgreSQL, each in one transaction that also moves the capture's synced_seq: the rows
/// and the position commit together or not at all (ARCHITECTURE invariant 3). The transaction starts by
/// locking the capture's row and reading synced_seq, and leaves out every frame at or below it, so a block
/// sent again (after a crash between commit and ack, or a commit whose answer was lost) adds nothing twice.
/// One writer at a time; not thread-safe.
/// </summary>
internal sealed class FrameSink : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly string _subscriber;
    private readonly TimeSpan _commandTimeout;
    private readonly DayPartitions _days;
    private readonly Dictionary<string, Dictionary<string, short>> _interfaceIds = [];
    private bool _schemaChecked;

    private readonly ILogger _logger;

    public FrameSink(PostgresSettings settings, string subscriber, ILogger logger)
    {
        _logger = logger;
        _dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        _schema = settings.Schema;
        _subscriber = subscriber;
        _commandTimeout = TimeSpan.FromSeconds(new NpgsqlConnectionStringBuilder(settings.ConnectionString).CommandTimeout);
        _days = new DayPartitions(_schema);
    }

    /// <summary>
    /// After a failure: pooled connections may be dead (a restarted server), and the database may have been
    /// recreated or restored, so the schema, partitions and interface ids are checked again.
    /// </summary>
    public void Reset()
    {
        _dataSource.Clear();
        _schemaChecked = false;
        _days.Forget();
        _interfaceIds.Clear();
    }

    /// <summary>Connects, creates or migrates the schema, and returns where <paramref name="captureId"/> stands (0: nothing yet).</summary>
    public async Task<ulong> SyncedSeqAsync(string captureId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT synced_seq FROM {_schema}.captures WHERE capture_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.Parse(captureId) });
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? (ulong)seq : 0;
    }

    /// <summary>Writes the block in one transaction (or finds it already there) and returns what happened.</summary>
    public async Task<BlockWritten> WriteAsync(FrameBlock block, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await _days.EnsureAsync(connection, block.Days, cancellationToken);
        try
        {
            return await WriteInTransactionAsync(connection, block, isolateRejects: false, cancellationToken);
        }
        catch (PostgresException e) when (PostgresErrors.IsRowError(e))
        {
            // Some row was refused (a constraint, a value out of range): again, finding it by halving under
            // savepoints, so the others go in and it is kept in rejected_frames with the server's reason.
            return await WriteInTransactionAsync(connection, block, isolateRejects: true, cancellationToken);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (!_schemaChecked)
            {
                var found = await ForwarderSchema.MigrateAsync(connection, _schema, cancellationToken);
                if (found == 0) ForwarderLog.SchemaCreated(_logger, _schema, ForwarderSchema.CurrentVersion);
                else if (found < ForwarderSchema.CurrentVersion) ForwarderLog.SchemaMigrated(_logger, _schema, found, ForwarderSchema.CurrentVersion);
                _schemaChecked = true;
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<BlockWritten> WriteInTransactionAsync(NpgsqlConnection connection, FrameBlock block, bool isolateRejects, CancellationToken cancellationToken)
    {
        var captureId = Guid.Parse(block.CaptureId);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var synced = await LockCaptureAsync(connection, transaction, captureId, cancellationToken);
        if (block.ThroughSeq <= synced)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new BlockWritten(synced, 0, block.Count, 0, 0);
        }

        var start = FirstAfter(block.Seqs, synced);
        var count = block.Count - start;
        var staged = await ResolveInterfacesAsync(connection, transaction, block, captureId, start, cancellationToken);
        var missing = await RecordGapsAsync(connection, transaction, captureId, FindGaps(block, start, synced), cancellationToken);
        long rejected = 0;
        if (count > 0)
        {
            if (isolateRejects)
            {
                rejected = await CopyIsolatingRejectsAsync(connection, transaction, block, captureId, staged, start, block.Count, cancellationToken);
            }
            else
            {
                await FrameCopy.CopyAsync(connection, _schema, block, captureId, staged, start, count, _commandTimeout, cancellationToken);
            }
        }

        await using (var update = new NpgsqlCommand(
            $"UPDATE {_schema}.captures SET synced_seq = $2, synced_frames = synced_frames + $3, synced_at = now(), last_seen = now() WHERE capture_id = $1",
            connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = captureId });
            update.Parameters.Add(new NpgsqlParameter { Value = (long)block.ThroughSeq });
            update.Parameters.Add(new NpgsqlParameter { Value = (long)(count - rejected) });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        _interfaceIds[block.CaptureId] = staged;
        return new BlockWritten(block.ThroughSeq, count - rejected, start, rejected, missing);
    }

    /// <summary>Registers the capture if new and locks its row for this transaction; returns its synced_seq.</summary>
    private async Task<ulong> LockCaptureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid captureId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {_schema}.captures AS c (capture_id, subscriber, forwarder_host) VALUES ($1, $2, $3)
            ON CONFLICT (capture_id) DO UPDATE SET last_seen = now()
            RETURNING c.synced_seq
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = captureId });
        command.Parameters.Add(new NpgsqlParameter { Value = _subscriber });
        command.Parameters.Add(new NpgsqlParameter { Value = Environment.MachineName });
        return (ulong)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The interface ids of the block's names, adding the names PostgreSQL has not seen for this capture. The
    /// capture's row is locked, so max + 1 is safe. Returned, not cached: only a committed transaction's ids are.
    /// </summary>
    private async Task<Dictionary<string, short>> ResolveInterfacesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        FrameBlock block, Guid captureId, int start, CancellationToken cancellationToken)
    {
        var ids = _interfaceIds.TryGetValue(block.CaptureId, out var known) ? new Dictionary<string, short>(known) : [];
        var loaded = false;
        foreach (var name in DistinctNames(block, start))
        {
            if (ids.ContainsKey(name)) continue;
            if (!loaded)
            {
                await LoadInterfacesAsync(connection, transaction, captureId, ids, cancellationToken);
                loaded = true;
                if (ids.ContainsKey(name)) continue;
            }
            await using var insert = new NpgsqlCommand(
                $"""
                INSERT INTO {_schema}.interfaces (capture_id, interface_id, name)
                SELECT $1, coalesce(max(interface_id), 0) + 1, $2 FROM {_schema}.interfaces WHERE capture_id = $1
                RETURNING interface_id
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = captureId });
            insert.Parameters.Add(new NpgsqlParameter { Value = name });
            ids[name] = (short)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        return ids;
    }

    private static HashSet<string> DistinctNames(FrameBlock block, int start)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var name in block.Interfaces[start..])
        {
            if (ReferenceEquals(name, last)) continue;
            names.Add(name);
            last = name;
        }
        return names;
    }

    private async Task LoadInterfacesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid captureId,
        Dictionary<string, short> ids, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand($"SELECT name, interface_id FROM {_schema}.interfaces WHERE capture_id = $1", connection, transaction);
        select.Parameters.Add(new NpgsqlParameter { Value = captureId });
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids[reader.GetString(0)] = reader.GetInt16(1);
    }

    /// <summary>Seqs the stream skipped (the capture no longer had them) are recorded as gaps, never passed over silently.</summary>
    private async Task<long> RecordGapsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid captureId,
        List<(ulong First, ulong Last)> gaps, CancellationToken cancellationToken)
    {
        long missing = 0;
        foreach (var (first, last) in gaps)
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {_schema}.frame_gaps (capture_id, first_missing, last_missing) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = captureId });
            insert.Parameters.Add(new NpgsqlParameter { Value = (long)first });
            insert.Parameters.Add(new NpgsqlParameter { Value = (long)last });
            await insert.ExecuteNonQueryAsync(cancellationToken);
            missing += (long)(last - first + 1);
        }
        return missing;
    }

    /// <summary>Runs of seqs missing between <paramref name="synced"/> and the block's frames from <paramref name="start"/>.</summary>
    private static List<(ulong First, ulong Last)> FindGaps(FrameBlock block, int start, ulong synced)
    {
        var gaps = new List<(ulong First, ulong Last)>();
        var expected = synced + 1;
        foreach (var seq in block.Seqs[start..])
        {
            if (seq > expected) gaps.Add((expected, seq - 1));
            expected = seq + 1;
        }
        return gaps;
    }

    /// <summary>Copies frames [from, to) under a savepoint; a refused copy is split in halves until the refused rows stand alone.</summary>
    private async Task<long> CopyIsolatingRejectsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FrameBlock block,
        Guid captureId, IReadOnlyDictionary<string, short> interfaceIds, int from, int to, CancellationToken cancellationToken)
    {
        const string savepoint = "canmesh_rows";
        await transaction.SaveAsync(savepoint, cancellationToken);
        try
        {
            await FrameCopy.CopyAsync(connection, _schema, block, captureId, interfaceIds, from, to - from, _commandTimeout, cancellationToken);
            await transaction.ReleaseAsync(savepoint, cancellationToken);
            return 0;
        }
        catch (PostgresException e) when (PostgresErrors.IsRowError(e))
        {
            await transaction.RollbackAsync(savepoint, cancellationToken);
            await transaction.ReleaseAsync(savepoint, cancellationToken);
            if (to - from == 1)
            {
                await RecordRejectedAsync(connection, transaction, block, captureId, from, e, cancellationToken);
                return 1;
            }
            var middle = from + (to - from) / 2;
            return await CopyIsolatingRejectsAsync(connection, transaction, block, captureId, interfaceIds, from, middle, cancellationToken)
                + await CopyIsolatingRejectsAsync(connection, transaction, block, captureId, interfaceIds, middle, to, cancellationToken);
        }
    }

    private async Task RecordRejectedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FrameBlock block, Guid captureId,
        int index, PostgresException reason, CancellationToken cancellationToken)
    {
        var frame = block.Frames[index];
        await using var insert = new NpgsqlCommand(
            $"""
            INSERT INTO {_schema}.rejected_frames (capture_id, seq, timestamp_ns, interface, can_id, flags, dlc, data, sqlstate, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = captureId });
        insert.Parameters.Add(new NpgsqlParameter { Value = (long)block.Seqs[index] });
        insert.Parameters.Add(new NpgsqlParameter { Value = frame.TimestampNs });
        insert.Parameters.Add(new NpgsqlParameter { Value = block.Interfaces[index] });
        insert.Parameters.Add(new NpgsqlParameter { Value = (int)frame.Id });
        insert.Parameters.Add(new NpgsqlParameter { Value = FrameCopy.FlagsColumn(frame) });
        insert.Parameters.Add(new NpgsqlParameter { Value = (short)frame.Length });
        insert.Parameters.Add(new NpgsqlParameter { Value = frame.ReadOnlyData.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        insert.Parameters.Add(new NpgsqlParameter { Value = reason.SqlState });
        insert.Parameters.Add(new NpgsqlParameter { Value = PostgresErrors.Describe(reason) });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The index of the first seq above <paramref name="synced"/> (seqs ascend).</summary>
    private static int FirstAfter(ReadOnlySpan<ulong> seqs, ulong synced)
    {
        var index = seqs.BinarySearch(synced + 1);
        return index >= 0 ? index : ~index;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
