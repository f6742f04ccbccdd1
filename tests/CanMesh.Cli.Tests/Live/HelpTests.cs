using CanMesh.Cli.Tests.Live.Infrastructure;

namespace CanMesh.Cli.Tests.Live;

/// <summary>Every live verb explains itself with --help, without a capture service.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("status", "--json", "--watch")]
    [InlineData("dump", "--format", "--id")]
    [InlineData("top", "--once", "--duration")]
    [InlineData("health", "--timeout", "exit 1")]
    [InlineData("subscribers", "--json", "remove")]
    public async Task Help_names_the_options(string verb, string first, string second)
    {
        var help = await Canmesh.RunAsync("/nonexistent/capture.sock", verb, "--help");

        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains($"canmesh {verb}", help.Stdout, StringComparison.Ordinal);
        Assert.Contains(first, help.Stdout, StringComparison.Ordinal);
        Assert.Contains(second, help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--socket", help.Stdout, StringComparison.Ordinal);
    }
}
