using CanMesh.Testing.Postgres;
using DotNet.Testcontainers.Containers;
using Npgsql;

namespace CanMesh.Testing.Tests;

/// <summary>
/// The PostgreSQL fixture for real, on the Docker engine and image of scripts/docker-engine.sh and
/// scripts/images.sh: databases of their own, and the faults the forwarder's tests will make (server
/// stopped, crashed, frozen, sessions ended) each seen the way a client sees it, and recovered from.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class PostgresContainerTests(PostgresFixture postgres)
{
    private PostgresContainer Server => postgres.Container;

    [Fact]
    public async Task Each_test_writes_and_reads_rows_in_a_database_of_its_own()
    {
        string connectionString = await postgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            Assert.StartsWith("15.", connection.PostgreSqlVersion.ToString(), StringComparison.Ordinal);
            await Execute(connection, "CREATE TABLE frames (seq bigint PRIMARY KEY, data bytea NOT NULL)");
            for (long seq = 1; seq <= 3; seq++)
            {
                await using var insert = new NpgsqlCommand("INSERT INTO frames VALUES ($1, $2)", connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = seq });
                insert.Parameters.Add(new NpgsqlParameter { Value = new byte[] { (byte)seq, 0xFF } });
                await insert.ExecuteNonQueryAsync();
            }

            await using var select = new NpgsqlCommand("SELECT seq, data FROM frames ORDER BY seq", connection);
            await using var reader = await select.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync()) rows.Add($"{reader.GetInt64(0)}:{Convert.ToHexString((byte[])reader.GetValue(1))}");
            Assert.Equal(["1:01FF", "2:02FF", "3:03FF"], rows);
        }

        string other = await postgres.CreateDatabaseAsync();
        string otherName = new NpgsqlConnectionStringBuilder(other).Database!;
        Assert.NotEqual(new NpgsqlConnectionStringBuilder(connectionString).Database, otherName);
        Assert.False(await Server.ScalarAsync<bool>("SELECT to_regclass('frames') IS NOT NULL", otherName));
    }

    [Fact]
    public async Task A_stopped_or_crashed_server_refuses_connections_and_comes_back_on_the_same_port_with_its_data()
    {
        string connectionString = await postgres.CreateDatabaseAsync();
        string database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await Server.ExecuteAsync("CREATE TABLE t (x int); INSERT INTO t VALUES (1)", database);
        int port = Server.Port;
        // A pooled connection, as a forwarder would hold one, idle in the pool across the restart.
        await using (var pooled = new NpgsqlConnection(connectionString))
        {
            await pooled.OpenAsync();
        }

        try
        {
            await Server.StopAsync();
            Assert.Equal(TestcontainersStates.Exited, Server.State);
            var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(() => Open(Unpooled(connectionString)));
            Assert.IsType<System.Net.Sockets.SocketException>(refused.InnerException);
        }
        finally
        {
            await Server.StartAsync();
        }

        Assert.Equal(port, Server.Port);
        await using (var fresh = await Open(Unpooled(connectionString)))
        {
            Assert.Equal(1, await Scalar<int>(fresh, "SELECT x FROM t"));
        }

        // The pool still holds the connection of the first server: its next command fails once, then
        // the pool (cleared, as the forwarder will do on such an error) hands out a working one.
        await using (var stale = new NpgsqlConnection(connectionString))
        {
            await stale.OpenAsync();
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => Scalar<int>(stale, "SELECT 1"));
        }

        NpgsqlConnection.ClearAllPools();
        await using (var again = new NpgsqlConnection(connectionString))
        {
            await again.OpenAsync();
            Assert.Equal(1, await Scalar<int>(again, "SELECT x FROM t"));
        }

        await Server.ExecuteAsync("INSERT INTO t VALUES (2)", database);
        try
        {
            await Server.CrashAsync();
            Assert.Equal(TestcontainersStates.Exited, Server.State);
        }
        finally
        {
            await Server.StartAsync();
        }

        Assert.Equal(port, Server.Port);
        Assert.Equal(2L, await Server.ScalarAsync<long>("SELECT count(*) FROM t", database));
        Assert.Contains("database system was interrupted", await Server.GetLogsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paused_server_leaves_clients_waiting_until_it_is_unpaused()
    {
        string connectionString = await postgres.CreateDatabaseAsync();
        // Timeout=1: a timed-out command makes Npgsql send a cancel request on a new connection, and
        // against a frozen server that waits up to about twice this connection timeout (15 s by default).
        var shortTimeouts = new NpgsqlConnectionStringBuilder(Unpooled(connectionString)) { Timeout = 1, CancellationTimeout = -1 }.ConnectionString;
        await using var open = await Open(shortTimeouts);
        try
        {
            await Server.PauseAsync();
            Assert.Equal(TestcontainersStates.Paused, Server.State);
            // An open connection's command gets no answer: the client's own timeout ends it.
            await using var command = new NpgsqlCommand("SELECT 1", open) { CommandTimeout = 1 };
            var timedOut = await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync());
            Assert.IsType<TimeoutException>(timedOut.InnerException);
            // A new connection is accepted by Docker's port proxy but never answered.
            var notAnswered = await Assert.ThrowsAnyAsync<Exception>(() => Open(shortTimeouts));
            Assert.True(notAnswered is TimeoutException || notAnswered.InnerException is TimeoutException, notAnswered.ToString());
        }
        finally
        {
            await Server.UnpauseAsync();
        }

        Assert.Equal(TestcontainersStates.Running, Server.State);
        await using var after = await Open(Unpooled(connectionString));
        Assert.Equal(1, await Scalar<int>(after, "SELECT 1"));
    }

    [Fact]
    public async Task Terminated_sessions_fail_their_next_command_while_the_server_stays_up()
    {
        string connectionString = await postgres.CreateDatabaseAsync();
        string database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var victim = await Open(Unpooled(connectionString));

        Assert.Equal(1, await Server.TerminateConnectionsAsync(database));

        var ended = await Assert.ThrowsAnyAsync<PostgresException>(() => Scalar<int>(victim, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.AdminShutdown, ended.SqlState);
        await using var next = await Open(Unpooled(connectionString));
        Assert.Equal(1, await Scalar<int>(next, "SELECT 1"));
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private static async Task<NpgsqlConnection> Open(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
