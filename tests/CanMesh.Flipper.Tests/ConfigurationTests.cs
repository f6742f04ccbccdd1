using CanMesh.Flipper.Configuration;
using CanMesh.Flipper.Tests.Infrastructure;
using CanMesh.Hosting;

namespace CanMesh.Flipper.Tests;

/// <summary>The command line and configuration: help, and bad settings refused with exit 2, every problem at once.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Help_exits_0_and_names_the_config_option()
    {
        using var flipper = FlipperProcess.Start(new Dictionary<string, string>(), "--help");
        Assert.True(await flipper.WaitForExitAsync(FlipperRun.ExitTimeout), "--help did not exit");
        Assert.Equal(0, flipper.ExitCode);
        Assert.Contains("--config", flipper.Stdout, StringComparison.Ordinal);
        Assert.Contains("CANMESH_", flipper.Stdout, StringComparison.Ordinal);
        Assert.Contains("INIT", flipper.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_settings_exit_2_listing_every_problem_by_key()
    {
        using var folder = new TempFolder();
        var environment = new FlipperEnvironment(folder.File("pi"), folder.Socket)
            .Set("CANMESH_FLIPPER__BAUDRATE", "fast")
            .Set("CANMESH_FLIPPER__INTERVAL", "1ms")
            .Set("CANMESH_FLIPPER__LABEL", "a,b")
            .Set("CANMESH_FLIPPER__IP", "999.1.1.1")
            .Set("CANMESH_FLIPPER__DEVISE", "/dev/ttyS0")
            .Set("CANMESH_LOGGING__LEVEL", "loud");
        using var flipper = FlipperProcess.Start(environment.Variables);
        Assert.True(await flipper.WaitForExitAsync(FlipperRun.ExitTimeout), $"did not exit on bad settings:\n{flipper.Output}");
        Assert.Equal(2, flipper.ExitCode);

        var stderr = flipper.Stderr;
        Assert.Contains("Flipper:BaudRate (env CANMESH_FLIPPER__BAUDRATE) = 'fast'", stderr, StringComparison.Ordinal);
        Assert.Contains("Flipper:Interval (env CANMESH_FLIPPER__INTERVAL) = '1ms'", stderr, StringComparison.Ordinal);
        Assert.Contains("Flipper:Label (env CANMESH_FLIPPER__LABEL) = 'a,b'", stderr, StringComparison.Ordinal);
        Assert.Contains("Flipper:Ip (env CANMESH_FLIPPER__IP) = '999.1.1.1'", stderr, StringComparison.Ordinal);
        Assert.Contains("CANMESH_FLIPPER__DEVISE", stderr, StringComparison.Ordinal);
        Assert.Contains("Logging:Level (env CANMESH_LOGGING__LEVEL) = 'loud'", stderr, StringComparison.Ordinal);
        Assert.Equal(6, stderr.Split('\n').Count(l => l.StartsWith("  - ", StringComparison.Ordinal)));
        Assert.Equal("", flipper.Stdout);
    }

    [Fact]
    public void The_example_configuration_reads_without_problems()
    {
        var path = Path.Combine(RepositoryRoot.Path, "deploy", "flipper.json");
        var settings = FlipperSettingsReader.Read(ServiceConfiguration.Build(path), ServiceConfiguration.BaseDirectory(path));
        Assert.Equal("/dev/ttyAMA0", settings.Device);
        Assert.Equal(115_200, settings.BaudRate);
        Assert.Null(settings.Ip);
        Assert.Equal(UartReadMode.Poll, settings.ReadMode);
    }
}
