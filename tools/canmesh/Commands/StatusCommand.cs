using System.CommandLine;
using CanMesh.Cli.Live;
using CanMesh.Cli.Rendering;
using CanMesh.Client;
using CanMesh.Protos.V1;
using Spectre.Console;

namespace CanMesh.Cli.Commands;

/// <summary>canmesh status: the capture's stats as tables, or JSON for scripts; once or every interval.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var socket = SocketOption.Create();
        var json = new Option<bool>("--json") { Description = "One JSON object per line (numbers as numbers; fields named as in capture.proto) instead of tables." };
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep showing the stats every --interval until Ctrl+C (a live view on a terminal; one block per interval in a pipe)." };
        var interval = DurationOption.Create("--interval", "How often --watch refreshes", "1s");
        var command = new Command("status",
            "The capture's stats: sources and their state, rates, kernel and queue drops, error frames; the store (committed seq, rows, size, " +
            "drops) and queue; subscribers with their acknowledged seq and lag; uptime.")
        {
            socket, json, watch, interval,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationOption.TryGet(parse, interval, TimeSpan.FromMilliseconds(100), out var every, out var error)) return CaptureVerb.BadUsage(error);
            var output = new StatusOutput(parse.GetValue(json));
            return await CaptureVerb.RunAsync(parse.GetValue(socket)!, TimeSpan.FromSeconds(10), async (client, stopping) =>
            {
                var bitrates = await BitratesAsync(client, stopping).ConfigureAwait(false);
                if (!parse.GetValue(watch))
                {
                    output.Show(await client.GetStatsAsync(stopping).ConfigureAwait(false), bitrates);
                    return ExitCodes.Ok;
                }
                await output.WatchAsync(client.WatchStatsAsync(every, stopping), bitrates).ConfigureAwait(false);
                return ExitCodes.Ok;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<IReadOnlyDictionary<string, uint>> BitratesAsync(CaptureClient client, CancellationToken cancellationToken)
    {
        var interfaces = await client.ListInterfacesAsync(cancellationToken).ConfigureAwait(false);
        return interfaces.ToDictionary(i => i.Name, i => i.Bitrate, StringComparer.Ordinal);
    }

    /// <summary>Where stats go: JSON lines, a live view on a terminal, or one table block per sample in a pipe.</summary>
    private sealed class StatusOutput(bool json)
    {
        private readonly IAnsiConsole _console = Terminal.Create();

        public void Show(Stats stats, IReadOnlyDictionary<string, uint> bitrates)
        {
            if (json)
            {
                using var stdout = StandardOutput.Open();
                StatsJson.Write(stdout, stats, bitrates);
            }
            else _console.Write(StatsView.Render(stats, bitrates));
        }

        public async Task WatchAsync(IAsyncEnumerable<Stats> samples, IReadOnlyDictionary<string, uint> bitrates)
        {
            if (json || !Terminal.OutputIsTerminal)
            {
                await foreach (var stats in samples.ConfigureAwait(false))
                {
                    Show(stats, bitrates);
                    if (!json) _console.WriteLine();
                }
                return;
            }
            await _console.Live(new Spectre.Console.Text("waiting for the first stats...")).StartAsync(async live =>
            {
                await foreach (var stats in samples.ConfigureAwait(false))
                {
                    live.UpdateTarget(StatsView.Render(stats, bitrates));
                }
            }).ConfigureAwait(false);
        }
    }
}
