using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Testcontainers.PostgreSql;

namespace CanMesh.Testing.Postgres;

/// <summary>
/// A PostgreSQL 15 server in a container (local/postgres:15 from scripts/images.sh, run by
/// Testcontainers.PostgreSql), with what the forwarder's fault tests need: a fresh database per test,
/// SQL as the superuser, the server stopped, crashed or frozen and brought back.
/// </summary>
/// <remarks>
/// The host port stays the same across <see cref="StopAsync"/>/<see cref="StartAsync"/>: a connection
/// string taken before a stop still works after the start. Testcontainers' default (a random host port
/// chosen by Docker) would not: Docker picks a new port at every start of the container (seen with
/// Testcontainers 4.17 on Docker 26.1: 32768, then 32769, then 32770), and while the container is stopped
/// <c>GetMappedPublicPort</c> throws ("Exposed port 5432/tcp is not mapped"). So the port is chosen
/// here, free at the time, outside the kernel's ephemeral range (32768-60999: an outgoing connection
/// could take it while the server is down), and bound as a fixed host port; a first start that finds
/// it taken is retried on another. (Host networking with PGPORT, through Testcontainers' generic
/// ContainerBuilder, would keep the port too, but shares the host's ports and skips the proxy below.)
/// Connections go to 127.0.0.1 through Docker's port proxy, so a client meets the same faults as with
/// a real server: refused while stopped, accepted but unanswered while paused.
/// </remarks>
public sealed class PostgresContainer : IAsyncDisposable
{
    public const string Image = "local/postgres:15";
    public const string Superuser = PostgreSqlBuilder.DefaultUsername;
    public const string Password = PostgreSqlBuilder.DefaultPassword;

    /// <summary>Label holding the process id of the test process that made the container.</summary>
    public const string OwnerLabel = "canmesh.owner-pid";

    /// <summary>A first start is 7-10 s idle, about 30 s on a loaded 2-core machine; beyond this something is wrong.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly PostgreSqlContainer _container;

    private PostgresContainer(PostgreSqlContainer container, int port)
    {
        _container = container;
        Port = port;
    }

    public string Host => "127.0.0.1";

    /// <summary>The host port, the same for the container's whole life.</summary>
    public int Port { get; }

    public string ContainerId => _container.Id;

    /// <summary>Running, Paused or Exited, as of the last operation done through this object.</summary>
    public TestcontainersStates State => _container.State;

    /// <summary>Starts a new container and waits until PostgreSQL accepts TCP connections.</summary>
    public static async Task<PostgresContainer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        await DockerEngine.EnsureImageAsync(Image, cancellationToken: cancellationToken);
        DockerEngine.ConfigureTestcontainers();
        for (var attempt = 1; ; attempt++)
        {
            int port = PickFreePort();
            var container = new PostgreSqlBuilder(Image)
                .WithPortBinding(port, PostgreSqlBuilder.PostgreSqlPort)
                // Skips initdb's fsyncs (about 2 s); the builder already turns fsync off for the server.
                .WithEnvironment("POSTGRES_INITDB_ARGS", "--no-sync")
                // The builder also sets synchronous_commit=off, under which a commit returns before its WAL is
                // written and a crash of the server loses it. Exactly-once tests crash the server and need a
                // commit to mean what it means in production; fsync=off still survives a process crash (the
                // data is in the kernel's cache), so only this is turned back on. A later -c wins.
                .WithCommand("-c", "synchronous_commit=on")
                // Without Ryuk nothing removes the container of a test process that crashed: scripts/test-all.sh
                // removes those whose owner is gone, and leaves alone those of a test run going on beside it.
                .WithLabel(OwnerLabel, Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
                .Build();
            try
            {
                await StartWithinTimeoutAsync(container, cancellationToken);
                return new PostgresContainer(container, port);
            }
            catch (DockerApiException e) when (attempt < 3 && IsPortTaken(e))
            {
                await container.DisposeAsync();
            }
            catch
            {
                await container.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>The superuser's connection string to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = database,
        Username = Superuser,
        Password = Password,
    }.ConnectionString;

    /// <summary>
    /// Creates an empty database with a new name (or <paramref name="name"/>) and returns the superuser's
    /// connection string to it. Brings the server back first if an earlier test left it stopped or paused.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        await EnsureRunningAsync(cancellationToken);
        name ??= "t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync($"CREATE DATABASE {QuoteIdentifier(name)}", cancellationToken: cancellationToken);
        return ConnectionString(name);
    }

    /// <summary>Runs SQL as the superuser on its own unpooled connection; returns the rows affected.</summary>
    public async Task<int> ExecuteAsync(string sql, string database = "postgres", CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenUnpooledAsync(database, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The first column of the first row of <paramref name="sql"/>, run as the superuser.</summary>
    public async Task<T> ScalarAsync<T>(string sql, string database = "postgres", CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenUnpooledAsync(database, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? default! : (T)value;
    }

    /// <summary>
    /// Ends every other session on <paramref name="database"/> (pg_terminate_backend), the way an
    /// administrator or a failover drops clients: their next command fails, the server stays up.
    /// Returns how many were ended.
    /// </summary>
    public Task<int> TerminateConnectionsAsync(string database, CancellationToken cancellationToken = default) =>
        ScalarAsync<int>(
            $"SELECT count(*)::int FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {QuoteLiteral(database)} AND pid <> pg_backend_pid()) AS ended",
            cancellationToken: cancellationToken);

    /// <summary>
    /// docker stop: PostgreSQL shuts down fast (SIGINT: open transactions roll back, clients are
    /// disconnected) and the port refuses connections until <see cref="StartAsync"/>.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _container.StopAsync(cancellationToken);

    /// <summary>
    /// Immediate shutdown, as if the server crashed: SIGQUIT to the postmaster, no checkpoint, clients cut
    /// off. The container exits; <see cref="StartAsync"/> brings it back through crash recovery.
    /// </summary>
    public async Task CrashAsync(CancellationToken cancellationToken = default)
    {
        await _container.ExecAsync(["bash", "-c", "kill -QUIT 1"], cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        // The postmaster is PID 1: the container ends when it does. Wait for that, then let
        // Testcontainers see the container exited (docker stop on an exited container only inspects it).
        while (await IsRunningAsync(timeout.Token))
        {
            await Task.Delay(100, timeout.Token);
        }

        await _container.StopAsync(cancellationToken);
    }

    /// <summary>
    /// Starts the stopped or crashed container again and waits until PostgreSQL accepts TCP connections,
    /// on the same port. Connections pooled before the stop are dead: each fails its next command once
    /// (NpgsqlConnection.ClearAllPools() drops them).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await StartWithinTimeoutAsync(_container, cancellationToken);
        int port = _container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort);
        if (port != Port)
        {
            throw new InvalidOperationException($"The container came back on port {port}, not {Port}: its fixed port binding was lost.");
        }
    }

    /// <summary>
    /// docker pause: every process of the server is frozen. Connections (new ones too: Docker's proxy
    /// accepts them) stay open but get no answer, so clients see their own timeouts, until
    /// <see cref="UnpauseAsync"/>. Npgsql: a command past its CommandTimeout sends a cancel request on a
    /// new connection first, and against a frozen server that waits up to about twice the connection
    /// string's Timeout (15 s by default) before the command fails; a test wants Timeout=1.
    /// </summary>
    public Task PauseAsync(CancellationToken cancellationToken = default) => _container.PauseAsync(cancellationToken);

    public Task UnpauseAsync(CancellationToken cancellationToken = default) => _container.UnpauseAsync(cancellationToken);

    /// <summary>Starts or unpauses the server if a test left it down.</summary>
    public async Task EnsureRunningAsync(CancellationToken cancellationToken = default)
    {
        switch (State)
        {
            case TestcontainersStates.Paused:
                await UnpauseAsync(cancellationToken);
                break;
            case TestcontainersStates.Exited:
            case TestcontainersStates.Created:
                await StartAsync(cancellationToken);
                break;
        }
    }

    /// <summary>The server's log (standard output and error), for a failing test's message.</summary>
    public async Task<string> GetLogsAsync(CancellationToken cancellationToken = default)
    {
        var (stdout, stderr) = await _container.GetLogsAsync(timestampsEnabled: false, ct: cancellationToken);
        return stdout + stderr;
    }

    /// <summary>Removes the container and its data.</summary>
    public ValueTask DisposeAsync() => _container.DisposeAsync();

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string QuoteLiteral(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private async Task<NpgsqlConnection> OpenUnpooledAsync(string database, CancellationToken cancellationToken)
    {
        // Unpooled: the helpers never pick up a connection left dead by a stop or a crash.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString(database)) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await _container.ExecAsync(["true"], cancellationToken);
            return result.ExitCode == 0;
        }
        catch (DockerApiException)
        {
            // "container is not running": exec is refused once PID 1 has gone.
            return false;
        }
    }

    private static async Task StartWithinTimeoutAsync(PostgreSqlContainer container, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await container.StartAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            string logs;
            try
            {
                var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false);
                logs = string.Join('\n', (stdout + stderr).Split('\n').TakeLast(30));
            }
            catch (Exception e) when (e is DockerApiException or InvalidOperationException)
            {
                logs = $"(no logs: {e.Message})";
            }

            throw new TimeoutException($"PostgreSQL ({Image}) did not accept connections within {StartTimeout.TotalSeconds:0} s. Its log ends:\n{logs}");
        }
    }

    private static bool IsPortTaken(DockerApiException e) =>
        e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase);

    /// <summary>A port that nothing listens on now, in 20000-32767 (below the kernel's ephemeral range).</summary>
    private static int PickFreePort()
    {
        for (var i = 0; i < 100; i++)
        {
            int port = Random.Shared.Next(20000, 32768);
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No free TCP port found in 20000-32767 after 100 tries.");
    }
}
