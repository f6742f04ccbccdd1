using CanMesh.Client;
using Grpc.Core;

namespace CanMesh.Cli.Live;

/// <summary>
/// A live view (dump, top) subscribes under a name of its own and removes it when it ends, so `canmesh status` does
/// not list a lagging subscriber for every dump run until the service forgets it (Store:Subscribers:ForgetAfter).
/// Best effort: the service may still see the stream open for a moment, and a view that cannot clean up has still
/// done its job.
/// </summary>
internal static class ViewerSubscriber
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    public static async Task ForgetAsync(CaptureClient client, string name)
    {
        // Not the verb's token: after Ctrl+C it is cancelled, and this is exactly when the cleanup runs.
        using var limit = new CancellationTokenSource(GiveUpAfter);
        try
        {
            while (true)
            {
                try
                {
                    await client.RemoveSubscriberAsync(name, limit.Token).ConfigureAwait(false);
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
                {
                    // The service has not yet seen the stream close.
                    await Task.Delay(RetryDelay, limit.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException || CaptureErrors.IsCommunication(e))
        {
            // Left for the service to forget (ForgetAfter): the view's own output is what counted.
        }
    }
}
