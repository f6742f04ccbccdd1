using CanMesh.Client;
using CanMesh.Protos.V1;
using Grpc.Core;
using CanMesh.Cli.Rendering;
using Spectre.Console;

namespace CanMesh.Cli.Live;

/// <summary>
/// subscribers remove: deletes a subscriber's watermark in the capture. A retaining subscriber holds frames on disk
/// for itself (the forwarder does), so removing one on purpose is confirmed: --yes, or a prompt when a person is at
/// the terminal; a script without --yes is refused (exit 2) rather than left waiting for an answer nobody gives.
/// </summary>
internal sealed class SubscriberRemoval(CaptureClient client, IAnsiConsole console, bool confirmed)
{
    public async Task<int> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var stats = await client.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        var subscriber = stats.Store?.Subscribers.FirstOrDefault(s => s.Name == name);
        // A connected one is refused by the service whatever the answer would be: ask it without asking the user.
        if (subscriber is { Retains: true, Connected: false } && !confirmed && !Confirm(subscriber))
        {
            return ExitCodes.BadUsage;
        }
        RemoveSubscriberResponse removed;
        try
        {
            removed = await client.RemoveSubscriberAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            await Console.Error.WriteLineAsync($"canmesh: cannot remove {name}: {CaptureErrors.Detail(e)}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        console.WriteLine(removed.Retained
            ? $"removed {name} at acked seq {removed.AckedSeq}; it retained: its {removed.Pending} pending frames are no longer kept for it"
            : $"removed {name} at acked seq {removed.AckedSeq} ({removed.Pending} frames pending)");
        return ExitCodes.Ok;
    }

    private bool Confirm(SubscriberStats subscriber)
    {
        var why = $"{subscriber.Name} holds retention ({subscriber.Pending} frames pending)";
        if (Terminal.InputIsTerminal && Terminal.OutputIsTerminal)
        {
            return console.Confirm($"{Markup.Escape(why)}: frames it has not acknowledged may be deleted by retention. Remove it?", defaultValue: false);
        }
        Console.Error.WriteLine($"canmesh: {why}; pass --yes to remove it");
        return false;
    }
}
