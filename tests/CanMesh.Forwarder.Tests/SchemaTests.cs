using CanMesh.Forwarder.Postgres;
using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;
using Npgsql;

namespace CanMesh.Forwarder.Tests;

/// <summary>Creating and migrating the schema: safe when forwarders start together, and refused when the database is newer.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class SchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Concurrent_migrations_on_a_fresh_database_all_succeed_and_apply_each_version_once()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Pooling = false }.ConnectionString;
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var connection = new NpgsqlConnection(connectionString);
                connections.Add(connection);
                await connection.OpenAsync();
            }
            // Each on its own thread-pool start, so the four race to the lock rather than running in turn.
            var found = await Task.WhenAll(connections.Select(c => Task.Run(() => ForwarderSchema.MigrateAsync(c, "canmesh", CancellationToken.None))));

            // One created the schema, the others waited for it and found it done.
            Assert.Equal([0, .. Enumerable.Repeat(ForwarderSchema.CurrentVersion, 3)], found.Order());
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }

        var versions = await VersionsAsync(connectionString);
        Assert.Equal(Enumerable.Range(1, ForwarderSchema.CurrentVersion).Select(v => (v, 1L)), versions);
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_forwarder_makes_the_forwarder_exit_1_saying_to_run_the_newer_one()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var newer = ForwarderSchema.CurrentVersion + 1;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ForwarderSchema.MigrateAsync(connection, "canmesh", CancellationToken.None);
            await using var insert = new NpgsqlCommand($"INSERT INTO canmesh.schema_version (version, applied_by) VALUES ({newer}, 'a newer forwarder')", connection);
            await insert.ExecuteNonQueryAsync();
        }

        using var folder = new TempFolder();
        using var capture = await ReplayedLog.StartCaptureAsync(folder);
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, connectionString).Variables);

        Assert.True(await forwarder.WaitForExitAsync(TimeSpan.FromSeconds(90)), $"the forwarder did not exit on a newer schema:\n{forwarder.Output}");
        Assert.Equal(1, forwarder.ExitCode);
        var fatal = Assert.Single(ForwarderOutput.Lines(forwarder.Stdout, 104));
        Assert.Contains($"version {newer}", fatal, StringComparison.Ordinal);
        Assert.Contains("run the newer canmesh-forwarder", fatal, StringComparison.Ordinal);
        // It touched nothing: no capture registered, the newer version still the latest.
        Assert.Equal(0, await PostgresQueries.ScalarOrAsync(connectionString, "SELECT count(*) FROM canmesh.captures"));
        Assert.Equal(newer, await PostgresQueries.ScalarOrAsync(connectionString, "SELECT max(version) FROM canmesh.schema_version"));
    }

    [Theory]
    [InlineData(-1L, "frames_19691231")]
    [InlineData(-86_400_000_000_000L, "frames_19691231")]
    [InlineData(-86_400_000_000_001L, "frames_19691230")]
    [InlineData(0L, "frames_19700101")]
    [InlineData(86_399_999_999_999L, "frames_19700101")]
    public async Task A_frame_lands_in_the_partition_of_the_day_DayOf_gives_it_also_before_1970(long timestampNs, string partition)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ForwarderSchema.MigrateAsync(connection, "canmesh", CancellationToken.None);
        // Only the frame's own day: a row outside every partition fails, so a wrong day number cannot pass unnoticed.
        await new DayPartitions("canmesh").EnsureAsync(connection, [DayPartitions.DayOf(timestampNs)], CancellationToken.None);

        // The timestamp as FrameCopy sends it: microseconds as timestamptz, the nanoseconds beyond in ts_ns_extra.
        var (micros, extra) = FrameCopy.SplitTimestamp(timestampNs);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO canmesh.frames (capture_id, seq, ts, ts_ns_extra, interface_id, can_id, flags, dlc, data) " +
            "VALUES ($1, 1, $2, $3, 1, 291, 0, 0, '') RETURNING tableoid::regclass::text, (extract(epoch FROM ts) * 1000000)::bigint * 1000 + ts_ns_extra",
            connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        insert.Parameters.Add(new NpgsqlParameter { Value = DateTime.UnixEpoch.AddTicks(micros * 10), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = extra });
        await using var reader = await insert.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal($"canmesh.{partition}", reader.GetString(0));
        Assert.Equal(timestampNs, reader.GetInt64(1));
    }

    private static async Task<List<(int Version, long Rows)>> VersionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version, count(*) FROM canmesh.schema_version GROUP BY version ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<(int, long)>();
        while (await reader.ReadAsync()) versions.Add((reader.GetInt32(0), reader.GetInt64(1)));
        return versions;
    }
}
