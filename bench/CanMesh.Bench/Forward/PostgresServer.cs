using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CanMesh.Bench.Forward;

/// <summary>
/// A fresh PostgreSQL container for one benchmark session, started with the docker CLI (not Testcontainers:
/// its PostgreSQL builder turns fsync and synchronous_commit off, and the benchmark wants the server's
/// production defaults unless told otherwise). Removed on dispose, and by a process-exit hook if the
/// benchmark is interrupted, so a Ctrl+C leaves no container running.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string Superuser = "postgres";

    /// <summary>Marks the containers this benchmark made, with the owner's pid, for a manual clean-up (docker ps --filter label=...).</summary>
    public const string OwnerLabel = "canmesh.bench.forward-owner-pid";

    private readonly bool _keep;
    private readonly EventHandler _onExit;
    private int _removed;

    private PostgresServer(string containerId, int port, string password, bool keep)
    {
        ContainerId = containerId;
        Port = port;
        Password = password;
        _keep = keep;
        _onExit = (_, _) => Remove();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public string ContainerId { get; }
    public string Host => "127.0.0.1";
    public int Port { get; }
    public string Password { get; }

    /// <param name="restartable">Without docker's --rm, so <see cref="StopAsync"/> does not remove the container (it is still removed on dispose).</param>
    public static async Task<PostgresServer> StartAsync(string image, IReadOnlyList<string> settings, bool keep, bool restartable, CancellationToken cancellationToken)
    {
        var password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        var port = PickFreePort();
        List<string> arguments =
        [
            "run", "-d", "--label", $"{OwnerLabel}={Environment.ProcessId}", "-p", $"127.0.0.1:{port}:5432",
            "-e", $"POSTGRES_PASSWORD={password}",
            // initdb's fsyncs (a couple of seconds) protect nothing a benchmark keeps.
            "-e", "POSTGRES_INITDB_ARGS=--no-sync",
        ];
        if (!keep && !restartable) arguments.Add("--rm");
        arguments.Add(image);
        arguments.Add("postgres");
        foreach (var setting in settings)
        {
            arguments.Add("-c");
            arguments.Add(setting);
        }
        // Not cancellable: a docker run abandoned half-way would still create a container, and nobody would know its id.
        var (code, output) = await Docker.RunAsync(arguments, CancellationToken.None).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException($"docker run {image} failed ({code}): {output.Trim()}");
        var server = new PostgresServer(output.Trim(), port, password, keep);
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Database = database,
        Username = Superuser,
        Password = Password,
        // The helpers' own sessions; a pool would keep idle backends around in a database being dropped.
        Pooling = false,
        CommandTimeout = 600,
    }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString(database));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task ExecuteAsync(string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command inside the container (as root); throws if it fails.</summary>
    public async Task ExecInContainerAsync(IEnumerable<string> command, CancellationToken cancellationToken)
    {
        var (code, output) = await Docker.RunAsync(["exec", ContainerId, .. command], cancellationToken).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException($"docker exec {string.Join(' ', command)} failed ({code}): {output.Trim()}");
    }

    /// <summary>
    /// CPU seconds all of the container's processes have used (cgroup cpuacct): backends come and go, so
    /// summing /proc of the processes alive at the end would miss those that already exited. NaN if the
    /// cgroup is not where Docker's cgroupfs driver (v1) or systemd driver (v2) puts it.
    /// </summary>
    public double CpuSeconds()
    {
        string[] v1 = [$"/sys/fs/cgroup/cpuacct/docker/{ContainerId}/cpuacct.usage", $"/sys/fs/cgroup/cpu,cpuacct/docker/{ContainerId}/cpuacct.usage"];
        foreach (var path in v1)
        {
            if (File.Exists(path)) return long.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture) / 1e9;
        }
        string[] v2 = [$"/sys/fs/cgroup/system.slice/docker-{ContainerId}.scope/cpu.stat", $"/sys/fs/cgroup/docker/{ContainerId}/cpu.stat"];
        foreach (var path in v2)
        {
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("usage_usec ", StringComparison.Ordinal)) return long.Parse(line[11..], CultureInfo.InvariantCulture) / 1e6;
            }
        }
        return double.NaN;
    }

    /// <summary>A clean shutdown of the server (docker stop: SIGTERM, fast shutdown): clients get refused connections, as when the host goes down.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var (code, output) = await Docker.RunAsync(["stop", "-t", "30", ContainerId], cancellationToken).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException($"docker stop {ContainerId[..12]} failed ({code}): {output.Trim()}");
    }

    /// <summary>Starts the stopped container again (same data, same host port) and waits until it answers queries.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var (code, output) = await Docker.RunAsync(["start", ContainerId], cancellationToken).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException($"docker start {ContainerId[..12]} failed ({code}): {output.Trim()}");
        await WaitReadyAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Until a TCP connection from the host runs a query: pg_isready inside the container would also answer
    /// for the entrypoint's temporary initialisation server, which is stopped again right after.
    /// </summary>
    private async Task WaitReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = await OpenAsync("postgres", cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or SocketException && clock.Elapsed < limit)
            {
            }
            var (code, state) = await Docker.RunAsync(["inspect", "-f", "{{.State.Running}}", ContainerId], cancellationToken).ConfigureAwait(false);
            if (code != 0 || state.Trim() != "true") throw new InvalidOperationException($"The PostgreSQL container {ContainerId[..12]} stopped while starting: {await LogTailAsync().ConfigureAwait(false)}");
            if (clock.Elapsed > limit) throw new TimeoutException($"PostgreSQL did not accept connections within {limit.TotalSeconds:F0} s: {await LogTailAsync().ConfigureAwait(false)}");
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> LogTailAsync()
    {
        var (_, output) = await Docker.RunAsync(["logs", "--tail", "20", ContainerId], CancellationToken.None).ConfigureAwait(false);
        return output;
    }

    public ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        Remove();
        return ValueTask.CompletedTask;
    }

    /// <summary>Synchronous and idempotent: it also runs from the process-exit hook.</summary>
    private void Remove()
    {
        if (_keep || Interlocked.Exchange(ref _removed, 1) != 0) return;
        using var process = Process.Start(new ProcessStartInfo("docker", ["rm", "-f", "-v", ContainerId])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        process?.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>A port nothing listens on now, below the kernel's ephemeral range (an outgoing connection could take one inside it).</summary>
    private static int PickFreePort()
    {
        for (var i = 0; i < 100; i++)
        {
            var port = Random.Shared.Next(20000, 32768);
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("No free TCP port found in 20000-32767 after 100 tries.");
    }
}

/// <summary>The docker CLI as a child process.</summary>
internal static class Docker
{
    /// <summary>Exit code and standard output (standard error appended: docker's messages go there).</summary>
    public static async Task<(int Code, string Output)> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("docker", arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start docker.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        // Docker warns on stderr about the host's IPv4 forwarding even when run succeeds; keep only stdout then.
        return (process.ExitCode, process.ExitCode == 0 ? output : output + errors);
    }
}
