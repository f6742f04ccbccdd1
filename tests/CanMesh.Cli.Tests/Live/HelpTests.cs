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

    [Theory]
    [InlineData(new[] { "export", "--bogus" }, "Unrecognized command or argument '--bogus'", "canmesh export --help")]
    [InlineData(new[] { "dump", "--count" }, "--count", "canmesh dump --help")]
    [InlineData(new[] { "frobnicate" }, "'frobnicate'", "canmesh --help")]
    public async Task A_parse_error_is_one_line_and_exit_code_2(string[] arguments, string problem, string hint)
    {
        var run = await Canmesh.RunAsync("/nonexistent/capture.sock", arguments);

        Output.AssertOneErrorLine(run, 2, problem);
        Assert.Contains(hint, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task No_verb_prints_the_list_of_verbs()
    {
        var help = await Canmesh.RunAsync("/nonexistent/capture.sock");

        Assert.True(help.ExitCode == 0, help.Output);
        foreach (var verb in new[] { "status", "dump", "top", "export", "import", "health", "subscribers" })
        {
            Assert.Contains(verb, help.Stdout, StringComparison.Ordinal);
        }
    }
}
