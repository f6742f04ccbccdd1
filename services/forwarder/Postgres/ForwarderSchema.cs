using Npgsql;

namespace CanMesh.Forwarder.Postgres;

/// <summary>
/// CanMesh's tables in PostgreSQL, created and migrated by the forwarder on start: versioned (schema_version),
/// each step in its own transaction, and safe when several forwarders start at once (a session advisory lock
/// serializes them; the second finds the work done).
/// </summary>
/// <remarks>
/// <para>frames is partitioned by range of ts, one partition per UTC day (<see cref="DayPartitions"/>): a
/// time-range query reads only its days, and retention is <c>DROP TABLE frames_YYYYMMDD</c>, instant and
/// without vacuum, where a DELETE of millions of rows would bloat the table. Days rather than months: a
/// fleet writes tens of millions of rows a day, and a day is the unit people keep or drop.</para>
/// <para>Every primary and unique key starts with capture_id, so the same schema distributes unchanged on
/// Citus by capture_id (docs/POSTGRES.md). A partitioned table's keys must include the partition column,
/// so frames' key is (capture_id, seq, ts): a seq's frame never changes, so its ts does not either, and
/// the key is as unique as (capture_id, seq) itself. The forwarder's synced_seq check keeps a row from
/// arriving twice in the first place (ARCHITECTURE invariant 3).</para>
/// <para>Only the flags integer is copied; the boolean columns people filter on are generated from it by
/// the server, which keeps the rows on the wire small.</para>
/// </remarks>
internal static class ForwarderSchema
{
    /// <summary>The version this forwarder creates; a database with a higher one is refused.</summary>
    public static int CurrentVersion => Migrations.Length;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE {s}.captures (
            capture_id     uuid        PRIMARY KEY,
            subscriber     text        NOT NULL,
            forwarder_host text        NOT NULL,
            first_seen     timestamptz NOT NULL DEFAULT now(),
            last_seen      timestamptz NOT NULL DEFAULT now(),
            synced_seq     bigint      NOT NULL DEFAULT 0,
            synced_frames  bigint      NOT NULL DEFAULT 0,
            synced_at      timestamptz
        );
        COMMENT ON COLUMN {s}.captures.synced_seq IS
            'Every seq of this capture up to here is in frames, rejected_frames or frame_gaps; written in the same transaction as the rows.';

        CREATE TABLE {s}.interfaces (
            capture_id   uuid     NOT NULL REFERENCES {s}.captures (capture_id),
            interface_id smallint NOT NULL,
            name         text     NOT NULL,
            PRIMARY KEY (capture_id, interface_id),
            UNIQUE (capture_id, name)
        );

        CREATE TABLE {s}.frames (
            capture_id   uuid        NOT NULL,
            seq          bigint      NOT NULL,
            ts           timestamptz NOT NULL,
            ts_ns_extra  smallint    NOT NULL,
            interface_id smallint    NOT NULL,
            can_id       integer     NOT NULL,
            flags        integer     NOT NULL,
            dlc          smallint    NOT NULL,
            data         bytea       NOT NULL,
            is_extended           boolean GENERATED ALWAYS AS ((flags & 1) <> 0) STORED,
            is_remote             boolean GENERATED ALWAYS AS ((flags & 2) <> 0) STORED,
            is_error_frame        boolean GENERATED ALWAYS AS ((flags & 4) <> 0) STORED,
            is_fd                 boolean GENERATED ALWAYS AS ((flags & 8) <> 0) STORED,
            bitrate_switch        boolean GENERATED ALWAYS AS ((flags & 16) <> 0) STORED,
            error_state_indicator boolean GENERATED ALWAYS AS ((flags & 32) <> 0) STORED,
            PRIMARY KEY (capture_id, seq, ts)
        ) PARTITION BY RANGE (ts);
        COMMENT ON COLUMN {s}.frames.ts IS 'Receive time (kernel timestamp), to the microsecond.';
        COMMENT ON COLUMN {s}.frames.ts_ns_extra IS 'Nanoseconds beyond ts''s microsecond (0-999): ts plus these is the capture''s timestamp_ns.';
        COMMENT ON COLUMN {s}.frames.flags IS
            'Bits 0-7 extended, remote, error, fd, brs, esi; bits 8-11 len8_dlc; bits 12-15 the candump FD flags digit''s other bits.';
        COMMENT ON COLUMN {s}.frames.dlc IS 'Data length in bytes; for a remote frame the requested length (data is empty).';
        -- Time-range scans inside a day: a BRIN index costs almost nothing to maintain on append-only rows.
        CREATE INDEX frames_ts_brin ON {s}.frames USING brin (ts);

        CREATE TABLE {s}.rejected_frames (
            capture_id   uuid        NOT NULL,
            seq          bigint      NOT NULL,
            timestamp_ns bigint      NOT NULL,
            interface    text        NOT NULL,
            can_id       integer     NOT NULL,
            flags        integer     NOT NULL,
            dlc          smallint    NOT NULL,
            data         bytea       NOT NULL,
            sqlstate     text        NOT NULL,
            reason       text        NOT NULL,
            rejected_at  timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (capture_id, seq)
        );

        CREATE TABLE {s}.frame_gaps (
            capture_id    uuid        NOT NULL,
            first_missing bigint      NOT NULL,
            last_missing  bigint      NOT NULL,
            detected_at   timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (capture_id, first_missing)
        );
        COMMENT ON TABLE {s}.frame_gaps IS
            'Seqs the capture no longer had when they were asked for (its retention deleted them before they were forwarded).';

        -- The seed tool's table, as a view, for the queries its users already have. Everything here has been forwarded.
        CREATE VIEW {s}.can_messages AS
        SELECT
            f.capture_id,
            f.seq AS id,
            (extract(epoch FROM f.ts) + f.ts_ns_extra / 1e9)::double precision AS timestamp,
            f.ts,
            i.name AS interface,
            CASE WHEN f.is_error_frame THEN f.can_id | 536870912 ELSE f.can_id END AS can_id,
            CASE
                WHEN f.is_error_frame THEN lpad(upper(to_hex(f.can_id | 536870912)), 8, '0')
                WHEN f.is_extended THEN lpad(upper(to_hex(f.can_id)), 8, '0')
                ELSE lpad(upper(to_hex(f.can_id)), 3, '0')
            END AS can_id_hex,
            upper(encode(f.data, 'hex')) AS data_hex,
            f.is_extended, f.is_remote, f.is_error_frame, f.is_fd, f.bitrate_switch, f.error_state_indicator,
            f.dlc,
            true AS processed
        FROM {s}.frames f JOIN {s}.interfaces i ON i.capture_id = f.capture_id AND i.interface_id = f.interface_id;
        """,
    ];

    /// <summary>Creates the schema or brings it to <see cref="CurrentVersion"/>; returns the version found before.</summary>
    /// <exception cref="SchemaTooNewException">The database was migrated by a newer forwarder.</exception>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        // Session-level, so it spans the per-step transactions; two forwarders starting together take turns.
        var lockKey = $"canmesh schema {schema}";
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(hashtext($1))", cancellationToken, lockKey);
        try
        {
            await ExecuteAsync(connection, $"""
                CREATE SCHEMA IF NOT EXISTS {schema};
                CREATE TABLE IF NOT EXISTS {schema}.schema_version (
                    version    integer     PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    applied_by text        NOT NULL
                );
                """, cancellationToken);
            await using var read = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {schema}.schema_version", connection);
            var found = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
            if (found > CurrentVersion) throw new SchemaTooNewException(schema, found, CurrentVersion);
            for (var version = found + 1; version <= CurrentVersion; version++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, Migrations[version - 1].Replace("{s}", schema, StringComparison.Ordinal), cancellationToken);
                await ExecuteAsync(connection, $"INSERT INTO {schema}.schema_version (version, applied_by) VALUES ($1, $2)", cancellationToken,
                    version, $"canmesh-forwarder on {Environment.MachineName}");
                await transaction.CommitAsync(cancellationToken);
            }
            return found;
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(hashtext($1))", CancellationToken.None, lockKey);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>The database holds a schema version this forwarder does not know: it was upgraded by a newer one.</summary>
internal sealed class SchemaTooNewException(string schema, int found, int known)
    : Exception($"PostgreSQL schema {schema} is at version {found}, newer than this forwarder knows ({known}): run the newer canmesh-forwarder, or point Postgres:Schema elsewhere.");
