using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>
/// A stored frame reduced to what both databases hold, one line per frame, so the capture's SQLite and
/// PostgreSQL can be compared row by row (count, order, timestamps, interface, id, flags, length, bytes).
/// Read with plain SQL on each side, independent of the code under test.
/// </summary>
public static class FrameRows
{
    /// <summary>Every frame in the capture database, in seq order.</summary>
    public static List<string> FromSqlite(string databasePath)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT f.seq, f.ts_ns, i.name, f.can_id, f.flags, f.data FROM frames f JOIN interfaces i ON i.id = f.iface ORDER BY f.seq";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var flags = reader.GetInt64(4);
            var data = (byte[])reader.GetValue(5);
            // The store keeps a remote frame's requested length in flags bits 16-23; PostgreSQL keeps it in dlc.
            var dlc = (flags & 2) != 0 ? (flags >> 16) & 0xFF : data.Length;
            rows.Add(Line(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), flags & 0xFFFF, dlc, data));
        }
        return rows;
    }

    /// <summary>Every frame of one capture in PostgreSQL, in seq order.</summary>
    public static async Task<List<string>> FromPostgresAsync(string connectionString, string captureId, string schema = "canmesh")
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT f.seq, (extract(epoch FROM f.ts) * 1000000)::bigint * 1000 + f.ts_ns_extra, i.name, f.can_id, f.flags, f.dlc, f.data
            FROM {schema}.frames f JOIN {schema}.interfaces i ON i.capture_id = f.capture_id AND i.interface_id = f.interface_id
            WHERE f.capture_id = $1 ORDER BY f.seq
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.Parse(captureId) });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Line(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt16(5), (byte[])reader.GetValue(6)));
        }
        return rows;
    }

    /// <summary>The capture database's id (meta table), which PostgreSQL keys its rows by.</summary>
    public static string CaptureId(string databasePath)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'capture_id'";
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>Asserts that PostgreSQL holds exactly the SQLite rows: the first difference is named, with its neighbours.</summary>
    public static void AssertSame(IReadOnlyList<string> sqlite, IReadOnlyList<string> postgres)
    {
        var seqs = new HashSet<string>();
        var duplicates = postgres.Select(r => r[..r.IndexOf(' ', StringComparison.Ordinal)]).Where(s => !seqs.Add(s)).Take(5).ToList();
        Assert.True(duplicates.Count == 0, $"PostgreSQL holds seqs twice: {string.Join(", ", duplicates)}");
        for (var i = 0; i < Math.Min(sqlite.Count, postgres.Count); i++)
        {
            if (sqlite[i] != postgres[i])
            {
                Assert.Fail($"Row {i} differs.\nSQLite:     {sqlite[i]}\nPostgreSQL: {postgres[i]}\n({sqlite.Count} rows in SQLite, {postgres.Count} in PostgreSQL)");
            }
        }
        Assert.True(sqlite.Count == postgres.Count, $"SQLite has {sqlite.Count} frames, PostgreSQL {postgres.Count}.");
    }

    private static string Line(long seq, long timestampNs, string iface, long canId, long flags, long dlc, byte[] data)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{seq} {timestampNs} {iface} {canId:X} {flags:X} {dlc} ");
        text.Append(Convert.ToHexString(data));
        return text.ToString();
    }
}
