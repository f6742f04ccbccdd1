using System.CommandLine;
using CanMesh.Cli.Live;
using CanMesh.Client;

namespace CanMesh.Cli.Commands;

/// <summary>canmesh dump: committed frames as they arrive, as `candump -l` lines (or JSON lines) on standard output.</summary>
internal static class DumpCommand
{
    public static Command Create()
    {
        var socket = SocketOption.Create();
        var selection = new FrameSelection();
        var format = new Option<string>("--format", "-f")
        {
            Description = "candump: `candump -l` log lines, which canplayer, log2asc and cantools read; json: one JSON object per line.",
            HelpName = "candump|json",
            DefaultValueFactory = _ => "candump",
        };
        var count = WholeNumberOption.Create("--count", "-n", "Stop after this many frames.", "N");
        var command = new Command("dump",
            "Frames as the capture commits them, in the exact `candump -l` line format: (1700000000.123456) can0 123#DEADBEEF. " +
            "Filters run in the capture service. Runs until Ctrl+C, SIGTERM, --count, or the end of the pipe (canmesh dump | head).")
        {
            socket, format, count,
        };
        selection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var formatName = parse.GetValue(format);
            if (formatName is not ("candump" or "json")) return CaptureVerb.BadUsage($"--format: '{formatName}' is not a format; use candump or json");
            if (!WholeNumberOption.TryGet(parse, count, 1, out var limit, out var error)) return CaptureVerb.BadUsage(error);
            if (!selection.TryCreate(parse, FrameSelection.SubscriberName("dump"), out var options, out error)) return CaptureVerb.BadUsage(error);

            return await CaptureVerb.RunAsync(parse.GetValue(socket)!, TimeSpan.FromSeconds(10), async (client, stopping) =>
            {
                // Subscriptions wait out an absent service forever; a dump that cannot start should say so at once.
                await client.GetStatsAsync(stopping).ConfigureAwait(false);
                var subscription = client.Subscribe(options);
                try
                {
                    await using var stdout = StandardOutput.Open();
                    await using IFrameWriter writer = formatName == "json"
                        ? new JsonFrameWriter(stdout, subscription.Interfaces)
                        : new CandumpFrameWriter(stdout, subscription.Interfaces);
                    // Also ends when the reader of the output has gone (| head): done, quietly, as candump is.
                    await new FrameDump(subscription, writer, (long?)limit).RunAsync(stopping).ConfigureAwait(false);
                }
                finally
                {
                    await subscription.DisposeAsync().ConfigureAwait(false);
                    await ViewerSubscriber.ForgetAsync(client, options.Subscriber).ConfigureAwait(false);
                }
                return ExitCodes.Ok;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
