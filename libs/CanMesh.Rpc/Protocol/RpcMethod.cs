using Google.Protobuf;

namespace CanMesh.Rpc;

public enum MethodType
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    DuplexStreaming,
}

/// <summary>
/// One method of a service, shared by server registration and client calls so both agree on the
/// path and the message types. Holding the parsers here means none is created per call.
/// </summary>
public sealed class RpcMethod<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public RpcMethod(MethodType type, string serviceFullName, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceFullName);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Type = type;
        ServiceFullName = serviceFullName;
        Name = name;
        Path = GrpcProtocol.MethodPath(serviceFullName, name);
    }

    public MethodType Type { get; }

    public string ServiceFullName { get; }

    public string Name { get; }

    /// <summary>"/package.Service/Method", the HTTP/2 :path.</summary>
    public string Path { get; }

    public MessageParser<TRequest> RequestParser { get; } = new(() => new TRequest());

    public MessageParser<TResponse> ResponseParser { get; } = new(() => new TResponse());

    public override string ToString() => Path;
}
