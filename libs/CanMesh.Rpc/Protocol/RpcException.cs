namespace CanMesh.Rpc;

/// <summary>
/// A call ended with a non-OK status. Thrown by handlers to choose the status sent to the client,
/// and by the client to report the status the server (or the local deadline/cancellation) decided.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode code, string detail)
        : this(new Status(code, detail), null)
    {
    }

    public RpcException(Status status, Exception? innerException = null)
        : base(status.ToString(), innerException)
    {
        Status = status;
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.Code;
}
