namespace CanMesh.Rpc;

/// <summary>The outcome of a call: a code and a human-readable detail (sent as grpc-message).</summary>
public readonly record struct Status(StatusCode Code, string Detail)
{
    public static Status Ok => new(StatusCode.OK, string.Empty);

    public override string ToString() => $"Status(StatusCode=\"{Code}\", Detail=\"{Detail}\")";
}
