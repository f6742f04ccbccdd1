using Grpc.Core;

namespace CanMesh.Capture.Api.Hosting;

/// <summary>
/// The two tokens a streaming handler needs. <see cref="ServerCallContext.CancellationToken"/> ends
/// its loops: the client went away, the deadline passed, or the service is stopping
/// (<see cref="ShutdownInterceptor"/> links that in). Writes take only the call's own token: cancelling
/// a write in flight makes Grpc.AspNetCore abort the HTTP/2 stream (RST_STREAM), and the client would
/// see a reset instead of the UNAVAILABLE the call is about to end with.
/// </summary>
internal static class CallCancellation
{
    public static CancellationToken ForWrites(ServerCallContext context) =>
        context is StoppingServerCallContext stopping ? stopping.Call.CancellationToken : context.CancellationToken;
}
