using CanMesh.Forwarder.Tests.Infrastructure;
using CanMesh.Testing.Postgres;
using Npgsql;

namespace CanMesh.Forwarder.Tests;

/// <summary>
/// A forwarder that cannot log in (wrong password, database not created yet) says so once, in words that say
/// what to fix, keeps retrying without a restart, and forwards everything once the server lets it in.
/// </summary>
[Collection(PostgresFixture.Collection)]
public sealed class PostgresLoginTests(PostgresFixture postgres)
{
    /// <summary>Enough refused attempts that a line per attempt would show as several lines.</summary>
    private const int ManyRetries = 5;

    [Fact]
    public async Task Wrong_password_is_reported_once_while_retrying_and_everything_arrives_once_the_password_is_right()
    {
        var superuser = await postgres.CreateDatabaseAsync();
        var database = new NpgsqlConnectionStringBuilder(superuser).Database!;
        // Roles belong to the whole server, which the collection's tests share: a name of its own.
        var role = "fwd_" + Guid.NewGuid().ToString("N")[..12];
        await postgres.Container.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'the-old-password'");
        await postgres.Container.ExecuteAsync($"GRANT CONNECT, CREATE ON DATABASE {database} TO {role}");
        var login = new NpgsqlConnectionStringBuilder(superuser) { Username = role, Password = "the-new-password" }.ConnectionString;

        using var folder = new TempFolder();
        using var capture = await ReplayedLog.StartCaptureAsync(folder);
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, login).Variables);

        await WaitForRefusalsAsync(forwarder, "password refused");
        Assert.False(forwarder.HasExited, $"the forwarder gave up on a refused password:\n{forwarder.Output}");

        // The administrator fixes the role; the forwarder is not restarted.
        await postgres.Container.ExecuteAsync($"ALTER ROLE {role} PASSWORD 'the-new-password'");

        await AssertEverythingArrivesAsync(superuser, folder, forwarder, capture);
        var trouble = Assert.Single(ForwarderOutput.Lines(forwarder.Stdout, 202));
        Assert.Contains("password refused", trouble, StringComparison.Ordinal);
        Assert.Contains("Postgres:Username", trouble, StringComparison.Ordinal);
        Assert.Contains("28P01", trouble, StringComparison.Ordinal);
        Assert.Contains("is back", Assert.Single(ForwarderOutput.Lines(forwarder.Stdout, 203)), StringComparison.Ordinal);
        await StopAsync(forwarder);
    }

    [Fact]
    public async Task Missing_database_is_reported_once_while_retrying_and_everything_arrives_once_it_is_created()
    {
        await postgres.Container.EnsureRunningAsync();
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        var notYet = postgres.Container.ConnectionString(name);

        using var folder = new TempFolder();
        using var capture = await ReplayedLog.StartCaptureAsync(folder);
        using var forwarder = ForwarderProcess.Start(new ForwarderEnvironment(folder.Socket, notYet).Variables);

        await WaitForRefusalsAsync(forwarder, "database missing");
        Assert.False(forwarder.HasExited, $"the forwarder gave up on a missing database:\n{forwarder.Output}");

        var superuser = await postgres.Container.CreateDatabaseAsync(name);

        await AssertEverythingArrivesAsync(superuser, folder, forwarder, capture);
        var trouble = Assert.Single(ForwarderOutput.Lines(forwarder.Stdout, 202));
        Assert.Contains("database missing", trouble, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE", trouble, StringComparison.Ordinal);
        Assert.Contains("3D000", trouble, StringComparison.Ordinal);
        Assert.Contains("is back", Assert.Single(ForwarderOutput.Lines(forwarder.Stdout, 203)), StringComparison.Ordinal);
        await StopAsync(forwarder);
    }

    /// <summary>Until the stats line shows the forwarder in <paramref name="state"/> after many attempts.</summary>
    private static Task WaitForRefusalsAsync(ForwarderProcess forwarder, string state) =>
        Waiting.UntilAsync(
            () => Task.FromResult(forwarder.HasExited || ForwarderOutput.LastStats(forwarder.Stdout) is { } stats && stats.State == state && stats.Retries >= ManyRetries),
            () => $"no stats line showed '{state}' after {ManyRetries} retries:\n{forwarder.Output}");

    private static async Task AssertEverythingArrivesAsync(string superuser, TempFolder folder, ForwarderProcess forwarder, CaptureProcess capture)
    {
        var captureId = FrameRows.CaptureId(folder.Database);
        await Waiting.UntilAsync(
            async () => await PostgresQueries.SyncedSeqAsync(superuser, captureId) >= ReplayedLog.Frames,
            () => $"PostgreSQL did not reach seq {ReplayedLog.Frames}.\nforwarder:\n{forwarder.Output}\ncapture:\n{capture.Output}");
        var sqlite = FrameRows.FromSqlite(folder.Database);
        Assert.Equal(ReplayedLog.Frames, sqlite.Count);
        FrameRows.AssertSame(sqlite, await FrameRows.FromPostgresAsync(superuser, captureId));
    }

    private static async Task StopAsync(ForwarderProcess forwarder)
    {
        forwarder.Terminate();
        Assert.True(await forwarder.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the forwarder did not stop on SIGTERM");
        Assert.Equal(0, forwarder.ExitCode);
    }
}
