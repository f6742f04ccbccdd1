using System.CommandLine;
using CanMesh.Cli.Live;
using CanMesh.Cli.Rendering;

namespace CanMesh.Cli.Commands;

/// <summary>canmesh subscribers [remove NAME [--yes]]: who is subscribed, how far each has acknowledged, and removing one.</summary>
internal static class SubscribersCommand
{
    public static Command Create()
    {
        var socket = SocketOption.Create();
        socket.Recursive = true;
        var json = new Option<bool>("--json") { Description = "One JSON array (name, acked_seq, pending, retains, connected) instead of a table." };
        var command = new Command("subscribers",
            "The capture's subscribers: name, acknowledged seq (watermark), lag (committed frames not yet acknowledged), whether it retains " +
            "(holds frames back from retention) and whether a stream is open.")
        {
            socket, json, CreateRemove(socket),
        };
        command.SetAction(async (parse, cancellationToken) =>
            await CaptureVerb.RunAsync(parse.GetValue(socket)!, TimeSpan.FromSeconds(10), async (client, stopping) =>
            {
                var stats = await client.GetStatsAsync(stopping).ConfigureAwait(false);
                var subscribers = stats.Store?.Subscribers.OrderBy(s => s.Name, StringComparer.Ordinal).ToList() ?? [];
                if (parse.GetValue(json))
                {
                    using var stdout = StandardOutput.Open();
                    StatsJson.WriteSubscribers(stdout, subscribers);
                }
                else Terminal.Create().Write(StatsView.Subscribers(subscribers));
                return ExitCodes.Ok;
            }, cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static Command CreateRemove(Option<string> socket)
    {
        var name = new Argument<string>("NAME") { Description = "The subscriber's name, as `canmesh subscribers` lists it." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Remove a retaining subscriber without asking." };
        var command = new Command("remove",
            "Deletes a subscriber's stored watermark for good. A retaining subscriber (it holds retention: the frames it has not " +
            "acknowledged are kept for it) is removed only after confirmation, or with --yes. A subscriber with a stream open is " +
            "refused: stop that client first.")
        {
            name, yes,
        };
        command.SetAction(async (parse, cancellationToken) =>
            await CaptureVerb.RunAsync(parse.GetValue(socket)!, TimeSpan.FromSeconds(10), (client, stopping) =>
                new SubscriberRemoval(client, Terminal.Create(), parse.GetValue(yes)).RemoveAsync(parse.GetValue(name)!, stopping),
                cancellationToken).ConfigureAwait(false));
        return command;
    }
}
