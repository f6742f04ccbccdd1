namespace CanMesh.Cli.Tests.Live.Infrastructure;

/// <summary>Checks every verb's output meets: errors are one line, never a stack trace.</summary>
internal static class Output
{
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static void AssertOneErrorLine(ServiceProcess process, int exitCode, string contains)
    {
        Assert.True(exitCode == process.ExitCode, $"exit {process.ExitCode}, expected {exitCode}:\n{process.Output}");
        var line = Assert.Single(Lines(process.Stderr));
        Assert.Contains(contains, line, StringComparison.Ordinal);
        Assert.StartsWith("canmesh: ", line, StringComparison.Ordinal);
        AssertNoStackTrace(process);
    }

    public static void AssertNoStackTrace(ServiceProcess process)
    {
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", process.Output, StringComparison.Ordinal);
    }
}
