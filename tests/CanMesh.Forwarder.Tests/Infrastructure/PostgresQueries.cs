using Npgsql;

namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>Small read-only questions to the forwarder's database, each on its own unpooled connection.</summary>
public static class PostgresQueries
{
    /// <summary>The first column of the first row, or <paramref name="fallback"/> when the query fails (the table may not exist yet, the server may be down).</summary>
    public static async Task<long> ScalarOrAsync(string connectionString, string sql, long fallback = -1)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            var value = await command.ExecuteScalarAsync();
            return value is null or DBNull ? fallback : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return fallback;
        }
    }

    /// <summary>How far PostgreSQL holds a capture (captures.synced_seq), -1 if not known yet.</summary>
    public static Task<long> SyncedSeqAsync(string connectionString, string captureId) =>
        ScalarOrAsync(connectionString, $"SELECT synced_seq FROM canmesh.captures WHERE capture_id = '{Guid.Parse(captureId)}'");
}
