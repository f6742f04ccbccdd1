using Grpc.Core;

namespace CanMesh.Client;

/// <summary>Which call outcomes a reconnect may cure.</summary>
public static class TransientErrors
{
    /// <summary>
    /// True for the server being unreachable, restarting or shutting down (UNAVAILABLE), the stream
    /// reset by the server (CANCELLED when the client did not cancel), a broken HTTP/2 exchange
    /// (INTERNAL, UNKNOWN), ABORTED and DEADLINE_EXCEEDED. False for what the request itself got
    /// wrong (INVALID_ARGUMENT, NOT_FOUND, UNIMPLEMENTED, PERMISSION_DENIED, ...): retrying repeats it.
    /// </summary>
    /// <remarks>
    /// INTERNAL is retried because the transport reports a connection torn mid-frame that way; a
    /// server bug answering INTERNAL every time costs a reconnect per backoff ceiling, logged.
    /// </remarks>
    public static bool IsTransient(StatusCode code) => code is StatusCode.Unavailable or StatusCode.Cancelled
        or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.DeadlineExceeded;
}
