using CanMesh.Store.Sqlite;

namespace CanMesh.Store.Schema;

/// <summary>
/// The capture database's schema, as forward migrations: migration N takes a database from
/// user_version N-1 to N. A database from a newer CanMesh (user_version above <see cref="CurrentVersion"/>)
/// is refused rather than guessed at.
/// </summary>
internal static class StoreSchema
{
    public static int CurrentVersion => Migrations.Length;

    // Never edit a shipped migration: add a new one.
    // Later meaning without a migration: frames.flags bits 12-15 hold CanFdFlagsExtra (FrameFlagsColumn); rows from
    // before have 0 there, which is CanFdFlagsExtra.None.
    private static readonly string[] Migrations =
    [
        // 1: the compact journal.
        """
        CREATE TABLE meta(
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE interfaces(
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );

        -- One row per frame. seq is dense and strictly increasing (ARCHITECTURE.md invariant 2).
        -- flags: bits 0-7 CanFrameFlags (1 extended, 2 remote, 4 error, 8 FD, 16 BRS, 32 ESI),
        --        bits 8-11 len8_dlc, bits 16-23 the requested length of a remote frame.
        -- can_id: the identifier without flag bits (error class bits for error frames).
        -- data: the payload; empty for remote frames.
        CREATE TABLE frames(
            seq    INTEGER PRIMARY KEY,
            ts_ns  INTEGER NOT NULL,
            iface  INTEGER NOT NULL,
            can_id INTEGER NOT NULL,
            flags  INTEGER NOT NULL,
            data   BLOB    NOT NULL
        );

        -- One row per committed transaction: the seq range it holds and its time span. This is the time
        -- index: a time range maps to seq ranges without an index on frames.ts_ns, which would cost
        -- every insert.
        CREATE TABLE commits(
            first_seq    INTEGER PRIMARY KEY,
            last_seq     INTEGER NOT NULL,
            min_ts_ns    INTEGER NOT NULL,
            max_ts_ns    INTEGER NOT NULL,
            committed_ns INTEGER NOT NULL
        );
        CREATE INDEX commits_by_time ON commits(max_ts_ns);

        CREATE TABLE subscribers(
            name       TEXT PRIMARY KEY,
            acked_seq  INTEGER NOT NULL,
            retains    INTEGER NOT NULL,
            updated_ns INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE events(
            id        INTEGER PRIMARY KEY,
            ts_ns     INTEGER NOT NULL,
            kind      TEXT    NOT NULL,
            source    TEXT,
            count     INTEGER NOT NULL,
            first_seq INTEGER,
            last_seq  INTEGER,
            message   TEXT    NOT NULL
        );
        CREATE INDEX events_by_time ON events(ts_ns);

        -- The seed tool's table, as a view, for the queries its users already have.
        -- processed: the forwarder has acknowledged the frame (it is in PostgreSQL).
        CREATE VIEW can_messages AS
        SELECT
            f.seq AS id,
            f.ts_ns / 1e9 AS timestamp,
            i.name AS interface,
            CASE WHEN f.flags & 4 THEN f.can_id | 0x20000000 ELSE f.can_id END AS can_id,
            CASE
                WHEN f.flags & 4 THEN printf('%08X', f.can_id | 0x20000000)
                WHEN f.flags & 1 THEN printf('%08X', f.can_id)
                ELSE printf('%03X', f.can_id)
            END AS can_id_hex,
            hex(f.data) AS data_hex,
            (f.flags & 1) != 0 AS is_extended,
            (f.flags & 2) != 0 AS is_remote,
            (f.flags & 4) != 0 AS is_error_frame,
            (f.flags & 8) != 0 AS is_fd,
            (f.flags & 16) != 0 AS bitrate_switch,
            (f.flags & 32) != 0 AS error_state_indicator,
            CASE WHEN f.flags & 2 THEN (f.flags >> 16) & 255 ELSE length(f.data) END AS dlc,
            f.seq <= COALESCE((SELECT acked_seq FROM subscribers WHERE name = 'forwarder'), 0) AS processed
        FROM frames f JOIN interfaces i ON i.id = f.iface;
        """,
    ];

    /// <summary>Brings the database to <see cref="CurrentVersion"/>, each step in its own transaction.</summary>
    public static void Migrate(SqliteDatabase db)
    {
        var version = (int)db.QueryInt64("PRAGMA user_version");
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The capture database {db.Path} has schema version {version}, newer than this CanMesh understands ({CurrentVersion}). " +
                "Upgrade CanMesh, or point Store:Path at another file.");
        }
        for (var next = version + 1; next <= CurrentVersion; next++)
        {
            using var transaction = db.BeginImmediate();
            db.Execute(Migrations[next - 1]);
            db.Execute($"PRAGMA user_version = {next}");
            transaction.Commit();
        }
    }
}
