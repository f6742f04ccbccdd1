using CanMesh.Client;

namespace CanMesh.Cli.Live;

/// <summary>
/// top's reading side: feeds every committed frame of a subscription into an <see cref="IdActivity"/> until
/// stopped, acknowledging as it goes. The renderer reads the activity under the same lock.
/// </summary>
internal sealed class TopSession(Subscription subscription, IdActivity activity)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await subscription.ReadDecodedAsync(cancellationToken).ConfigureAwait(false);
            lock (activity)
            {
                var frames = batch.Frames;
                for (var i = 0; i < frames.Length; i++) activity.Add(in frames[i], subscription.Interfaces[frames[i].InterfaceId]);
            }
            subscription.Ack(batch);
        }
    }
}
