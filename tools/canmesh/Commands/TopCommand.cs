using System.CommandLine;
using System.Globalization;
using CanMesh.Cli.Live;
using CanMesh.Cli.Rendering;
using Spectre.Console;

namespace CanMesh.Cli.Commands;

/// <summary>canmesh top: a live per-id view in the spirit of cansniffer; one plain snapshot with --once or in a pipe.</summary>
internal static class TopCommand
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var socket = SocketOption.Create();
        var selection = new FrameSelection();
        var once = new Option<bool>("--once") { Description = "Watch for --duration, print one snapshot table and exit (what top does when its output is not a terminal)." };
        var duration = DurationOption.Create("--duration", "How long --once watches before its snapshot", "2s");
        var command = new Command("top",
            "A live view per interface and CAN id, as cansniffer shows it: frame count, rate over the last seconds, length and the last " +
            "data, the bytes that changed lately highlighted. Sorted by interface and id. q or Ctrl+C quits.")
        {
            socket, once, duration,
        };
        selection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationOption.TryGet(parse, duration, TimeSpan.FromMilliseconds(100), out var watchFor, out var error)) return CaptureVerb.BadUsage(error);
            if (!selection.TryCreate(parse, FrameSelection.SubscriberName("top"), out var options, out error)) return CaptureVerb.BadUsage(error);
            var snapshot = parse.GetValue(once) || !Terminal.OutputIsTerminal;

            return await CaptureVerb.RunAsync(parse.GetValue(socket)!, TimeSpan.FromSeconds(10), async (client, stopping) =>
            {
                await client.GetStatsAsync(stopping).ConfigureAwait(false);
                var activity = new IdActivity(TimeProvider.System);
                var console = Terminal.Create();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var subscription = client.Subscribe(options);
                var reading = new TopSession(subscription, activity).RunAsync(stop.Token);
                try
                {
                    if (snapshot) await Task.WhenAny(reading, Task.Delay(watchFor, stop.Token)).ConfigureAwait(false);
                    else await ShowLiveAsync(console, activity, reading, stop.Token).ConfigureAwait(false);
                    if (reading.IsFaulted) await reading.ConfigureAwait(false);
                }
                finally
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAny(reading).ConfigureAwait(false);
                    await subscription.DisposeAsync().ConfigureAwait(false);
                    await ViewerSubscriber.ForgetAsync(client, options.Subscriber).ConfigureAwait(false);
                }
                if (snapshot)
                {
                    lock (activity) console.Write(TopView.Render(activity, Caption(activity, watchFor)));
                }
                return ExitCodes.Ok;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Redraws every <see cref="Refresh"/> until q, Ctrl+C or the reader fails.</summary>
    private static async Task ShowLiveAsync(IAnsiConsole console, IdActivity activity, Task reading, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var live = console.Live(new Markup("waiting for frames...")).AutoClear(false);
        live.Overflow = VerticalOverflow.Ellipsis;
        await live.StartAsync(async context =>
        {
            while (!cancellationToken.IsCancellationRequested && !reading.IsCompleted && !QuitPressed())
            {
                lock (activity) context.UpdateTarget(TopView.Render(activity, Caption(activity, TimeProvider.System.GetElapsedTime(started))));
                try
                {
                    await Task.Delay(Refresh, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }).ConfigureAwait(false);
    }

    private static bool QuitPressed()
    {
        while (!Console.IsInputRedirected && Console.KeyAvailable)
        {
            if (Console.ReadKey(intercept: true).Key is ConsoleKey.Q or ConsoleKey.Escape) return true;
        }
        return false;
    }

    private static string Caption(IdActivity activity, TimeSpan over) =>
        string.Create(CultureInfo.InvariantCulture, $"{activity.Rows().Count} ids, {activity.Frames} frames in {over.TotalSeconds:0.0} s");
}
