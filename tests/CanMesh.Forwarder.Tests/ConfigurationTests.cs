using CanMesh.Configuration;
using CanMesh.Forwarder.Configuration;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CanMesh.Forwarder.Tests;

/// <summary>
/// The forwarder's command line and configuration, without PostgreSQL: help, and bad settings refused at start
/// with exit 2 and every problem named at once, so one attempt tells the operator all there is to fix.
/// </summary>
public sealed class ConfigurationTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_exits_0_and_names_the_config_option()
    {
        using var forwarder = ForwarderProcess.Start(new Dictionary<string, string>(), "--help");
        Assert.True(await forwarder.WaitForExitAsync(ExitTimeout), "--help did not exit");
        Assert.Equal(0, forwarder.ExitCode);
        Assert.Contains("--config", forwarder.Stdout, StringComparison.Ordinal);
        Assert.Contains("CANMESH_", forwarder.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_settings_exit_2_listing_every_problem_by_key()
    {
        using var folder = new TempFolder();
        var environment = new Dictionary<string, string>
        {
            ["CANMESH_CAPTURE__SOCKET"] = folder.Socket,
            ["CANMESH_FORWARDER__COMMIT__MAXFRAMES"] = "0",
            ["CANMESH_FORWARDER__COMMITT__MAXFRAMES"] = "5",
            ["CANMESH_POSTGRES__SSLMODE"] = "sometimes",
            ["CANMESH_POSTGRES__DATABASE"] = "canmesh",
            ["CANMESH_POSTGRES__USERNAME"] = "canmesh",
            ["CANMESH_LOGGING__LEVEL"] = "loud",
            // No CANMESH_POSTGRES__HOST.
        };
        using var forwarder = ForwarderProcess.Start(environment);
        Assert.True(await forwarder.WaitForExitAsync(ExitTimeout), $"the forwarder did not exit on bad settings:\n{forwarder.Output}");
        Assert.Equal(2, forwarder.ExitCode);

        var stderr = forwarder.Stderr;
        Assert.Contains("Forwarder:Commit:MaxFrames (env CANMESH_FORWARDER__COMMIT__MAXFRAMES) = '0'", stderr, StringComparison.Ordinal);
        Assert.Contains("CANMESH_FORWARDER__COMMITT__MAXFRAMES", stderr, StringComparison.Ordinal);
        Assert.Contains("unknown setting", stderr, StringComparison.Ordinal);
        Assert.Contains("Postgres:SslMode (env CANMESH_POSTGRES__SSLMODE) = 'sometimes'", stderr, StringComparison.Ordinal);
        Assert.Contains("Postgres:Host (env CANMESH_POSTGRES__HOST): required", stderr, StringComparison.Ordinal);
        Assert.Contains("Logging:Level (env CANMESH_LOGGING__LEVEL) = 'loud'", stderr, StringComparison.Ordinal);
        Assert.Equal(5, stderr.Split('\n').Count(l => l.StartsWith("  - ", StringComparison.Ordinal)));
        // Refused before anything started: no log line, no attempt to reach the capture.
        Assert.Equal("", forwarder.Stdout);
    }

    [Fact]
    public void Password_and_password_file_together_are_refused()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("pg-password"), "from-the-file");
        var error = Assert.Throws<ConfigurationException>(() => ForwarderSettingsReader.Read(Configuration(new()
        {
            ["Postgres:Password"] = "from-the-environment",
            ["Postgres:PasswordFile"] = folder.File("pg-password"),
        })));
        var problem = Assert.Single(error.Problems);
        Assert.Contains("Postgres:PasswordFile", problem, StringComparison.Ordinal);
        Assert.Contains("not both", problem, StringComparison.Ordinal);
        // The password itself is never repeated in a message that goes to the console.
        Assert.DoesNotContain("from-the-environment", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3cret\n")]
    [InlineData("s3cret\r\n")]
    [InlineData("s3cret")]
    public void Password_file_is_read_without_its_trailing_newline(string content)
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("pg-password"), content);
        // Relative to the configuration file's folder, as a path in a config file is.
        var settings = ForwarderSettingsReader.Read(Configuration(new() { ["Postgres:PasswordFile"] = "pg-password" }), folder.Path);
        Assert.Equal("s3cret", new NpgsqlConnectionStringBuilder(settings.Postgres.ConnectionString).Password);
    }

    [Fact]
    public void Password_keeps_inner_and_leading_whitespace_from_the_file()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("pg-password"), " two words \n");
        var settings = ForwarderSettingsReader.Read(Configuration(new() { ["Postgres:PasswordFile"] = folder.File("pg-password") }));
        Assert.Equal(" two words ", new NpgsqlConnectionStringBuilder(settings.Postgres.ConnectionString).Password);
    }

    [Fact]
    public void Missing_password_file_is_a_problem_naming_the_key()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ConfigurationException>(() =>
            ForwarderSettingsReader.Read(Configuration(new() { ["Postgres:PasswordFile"] = folder.File("absent") })));
        Assert.Contains("Postgres:PasswordFile (env CANMESH_POSTGRES__PASSWORDFILE)", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    /// <summary>A valid configuration apart from <paramref name="values"/>, which are added or override.</summary>
    private static IConfiguration Configuration(Dictionary<string, string?> values)
    {
        var all = new Dictionary<string, string?>
        {
            ["Postgres:Host"] = "db.example",
            ["Postgres:Database"] = "canmesh",
            ["Postgres:Username"] = "canmesh",
        };
        foreach (var (key, value) in values) all[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(all).Build();
    }
}
