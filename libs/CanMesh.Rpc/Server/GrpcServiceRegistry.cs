using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace CanMesh.Rpc.Server;

/// <summary>
/// The methods a server answers, and the service descriptors it lists through reflection.
/// Fill it before the server starts; the dispatcher freezes it so lookups take no lock.
/// </summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, ServerMethod> _methods = new(StringComparer.Ordinal);
    private readonly List<ServiceDescriptor> _services = [];
    private FrozenDictionary<string, ServerMethod>? _frozen;

    /// <summary>Services announced by reflection (list_services, file_containing_symbol), in registration order.</summary>
    public IReadOnlyList<ServiceDescriptor> Services => _services;

    public bool IsFrozen => _frozen is not null;

    /// <summary>Announces a service to reflection. Its methods are registered separately with the Add* methods.</summary>
    public GrpcServiceRegistry AddService(ServiceDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ThrowIfFrozen();
        if (!_services.Any(s => s.FullName == descriptor.FullName))
        {
            _services.Add(descriptor);
        }

        return this;
    }

    public GrpcServiceRegistry AddUnary<TRequest, TResponse>(string serviceFullName, string methodName, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => AddUnary(new RpcMethod<TRequest, TResponse>(MethodType.Unary, serviceFullName, methodName), handler);

    public GrpcServiceRegistry AddUnary<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.Unary, new UnaryServerMethod<TRequest, TResponse>(method, handler), handler);

    public GrpcServiceRegistry AddServerStreaming<TRequest, TResponse>(string serviceFullName, string methodName, ServerStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => AddServerStreaming(new RpcMethod<TRequest, TResponse>(MethodType.ServerStreaming, serviceFullName, methodName), handler);

    public GrpcServiceRegistry AddServerStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, ServerStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.ServerStreaming, new ServerStreamingServerMethod<TRequest, TResponse>(method, handler), handler);

    public GrpcServiceRegistry AddClientStreaming<TRequest, TResponse>(string serviceFullName, string methodName, ClientStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => AddClientStreaming(new RpcMethod<TRequest, TResponse>(MethodType.ClientStreaming, serviceFullName, methodName), handler);

    public GrpcServiceRegistry AddClientStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, ClientStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.ClientStreaming, new ClientStreamingServerMethod<TRequest, TResponse>(method, handler), handler);

    public GrpcServiceRegistry AddDuplexStreaming<TRequest, TResponse>(string serviceFullName, string methodName, DuplexStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => AddDuplexStreaming(new RpcMethod<TRequest, TResponse>(MethodType.DuplexStreaming, serviceFullName, methodName), handler);

    public GrpcServiceRegistry AddDuplexStreaming<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, DuplexStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
        => Add(method, MethodType.DuplexStreaming, new DuplexStreamingServerMethod<TRequest, TResponse>(method, handler), handler);

    internal bool TryGetMethod(string path, out ServerMethod method)
    {
        FrozenDictionary<string, ServerMethod> methods = _frozen ?? throw new InvalidOperationException("The registry is used before it was frozen.");
        return methods.TryGetValue(path, out method!);
    }

    /// <summary>Called by the dispatcher: from then on the method table is read-only.</summary>
    internal void Freeze() => _frozen ??= _methods.ToFrozenDictionary(StringComparer.Ordinal);

    private GrpcServiceRegistry Add<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, MethodType expected, ServerMethod serverMethod, Delegate handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfFrozen();
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.Path} is declared {method.Type} but registered as {expected}.", nameof(method));
        }

        if (!_methods.TryAdd(method.Path, serverMethod))
        {
            throw new ArgumentException($"{method.Path} is already registered.", nameof(method));
        }

        return this;
    }

    private void ThrowIfFrozen()
    {
        if (_frozen is not null)
        {
            throw new InvalidOperationException("The server has started: register every service and method before starting it.");
        }
    }
}
