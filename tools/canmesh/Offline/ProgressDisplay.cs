using Spectre.Console;

namespace CanMesh.Cli.Offline;

/// <summary>
/// A progress bar on standard error for long runs, only when standard error is a terminal: redirected output (a
/// script, a test, a log file) gets no control sequences. The work runs on its own thread while Spectre draws.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Below this many units a run is short: a bar would only flicker.</summary>
    public const long Threshold = 200_000;

    public static bool Wanted(long? total) => total is >= Threshold && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="work"/>, giving it a callback that reports units done of <paramref name="total"/>.</summary>
    public static async Task<T> RunAsync<T>(string description, long total, Func<Action<long>, Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: total);
                var result = await Task.Run(() => work(done => task.Value = Math.Min(done, total))).ConfigureAwait(false);
                task.Value = total;
                return result;
            }).ConfigureAwait(false);
    }
}
