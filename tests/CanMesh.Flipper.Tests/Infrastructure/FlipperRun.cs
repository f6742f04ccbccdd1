namespace CanMesh.Flipper.Tests.Infrastructure;

/// <summary>Starting the flipper executable and waiting for what it logs.</summary>
public static class FlipperRun
{
    public static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts the service and waits until it has opened its device <paramref name="opens"/> times in all.</summary>
    public static FlipperProcess StartAndWaitOpen(FlipperEnvironment environment)
    {
        var flipper = FlipperProcess.Start(environment.Variables);
        WaitForOpens(flipper, 1);
        return flipper;
    }

    /// <summary>Waits until the log says the device was opened <paramref name="count"/> times in all.</summary>
    public static void WaitForOpens(FlipperProcess flipper, int count) =>
        WaitForLog(flipper, "[200] Opened", count, "the device opened");

    /// <summary>Waits until <paramref name="text"/> appears <paramref name="count"/> times in the log.</summary>
    public static void WaitForLog(FlipperProcess flipper, string text, int count, string what) =>
        Assert.True(flipper.WaitForOutput(o => Occurrences(o, text) >= count, FakeFlipper.Generous),
            $"the flipper service did not log {what} ({count}x '{text}'):\n{flipper.Output}");

    public static int Occurrences(string output, string text) =>
        output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>SIGTERM, and the exit with 0 within <see cref="ExitTimeout"/>.</summary>
    public static async Task StopAsync(FlipperProcess flipper)
    {
        flipper.Terminate();
        Assert.True(await flipper.WaitForExitAsync(ExitTimeout), $"the flipper service did not stop on SIGTERM:\n{flipper.Output}");
        Assert.Equal(0, flipper.ExitCode);
    }
}
