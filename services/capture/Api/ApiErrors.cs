using Grpc.Core;

namespace CanMesh.Capture.Api;

/// <summary>The statuses the capture API answers with, each with a message that says what to change.</summary>
internal static class ApiErrors
{
    public static RpcException InvalidArgument(string detail) => new(new Status(StatusCode.InvalidArgument, detail));

    public static RpcException NotFound(string detail) => new(new Status(StatusCode.NotFound, detail));

    public static RpcException FailedPrecondition(string detail) => new(new Status(StatusCode.FailedPrecondition, detail));

    public static RpcException Unavailable(string detail) => new(new Status(StatusCode.Unavailable, detail));

    public static RpcException Starting() =>
        new(new Status(StatusCode.Unavailable, "The capture is starting; try again."));

    public static RpcException ShuttingDown() =>
        new(new Status(StatusCode.Unavailable, "The capture service is shutting down; reconnect when it is back (the stream resumes from the stored watermark)."));
}
