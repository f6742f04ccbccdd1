using CanMesh.Rpc.Server;
using Grpc.Reflection.V1;

namespace CanMesh.Rpc.Reflection;

/// <summary>
/// gRPC server reflection, so grpcurl, buf curl and Postman need no .proto files. Serves
/// grpc.reflection.v1 and v1alpha from one handler: their messages are identical on the wire, and
/// clients such as buf try v1 first then fall back.
/// </summary>
public sealed class ReflectionService
{
    public const string V1ServiceName = "grpc.reflection.v1.ServerReflection";
    public const string V1AlphaServiceName = "grpc.reflection.v1alpha.ServerReflection";

    private readonly Lazy<DescriptorIndex> _index;

    private ReflectionService(GrpcServiceRegistry registry)
    {
        // Built on the first call, when the registry is complete (frozen at server start).
        _index = new Lazy<DescriptorIndex>(() => new DescriptorIndex(registry.Services));
    }

    public static RpcMethod<ServerReflectionRequest, ServerReflectionResponse> V1Method { get; } = new(MethodType.DuplexStreaming, V1ServiceName, "ServerReflectionInfo");

    public static RpcMethod<ServerReflectionRequest, ServerReflectionResponse> V1AlphaMethod { get; } = new(MethodType.DuplexStreaming, V1AlphaServiceName, "ServerReflectionInfo");

    /// <summary>Adds reflection to <paramref name="registry"/>; it describes every service the registry announces.</summary>
    public static void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var service = new ReflectionService(registry);
        registry.AddService(ReflectionReflection.Descriptor.Services[0]);
        registry.AddService(Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0]);
        registry.AddDuplexStreaming(V1Method, service.HandleAsync);
        registry.AddDuplexStreaming(V1AlphaMethod, service.HandleAsync);
    }

    private async Task HandleAsync(IAsyncStreamReader<ServerReflectionRequest> requests, IServerStreamWriter<ServerReflectionResponse> responses, ServerCallContext context)
    {
        await foreach (ServerReflectionRequest request in requests.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(Answer(request), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        DescriptorIndex index = _index.Value;
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = new ListServiceResponse();
                response.ListServicesResponse.Service.Add(index.ServiceNames.Select(name => new ServiceResponse { Name = name }));
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                if (index.TryFindSymbol(request.FileContainingSymbol, out var symbolFile))
                {
                    response.FileDescriptorResponse = Files(symbolFile);
                }
                else
                {
                    response.ErrorResponse = NotFound($"Symbol not found: {request.FileContainingSymbol}");
                }

                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                if (index.TryFindFile(request.FileByFilename, out var namedFile))
                {
                    response.FileDescriptorResponse = Files(namedFile);
                }
                else
                {
                    response.ErrorResponse = NotFound($"File not found: {request.FileByFilename}");
                }

                break;

            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                // proto3 contracts declare no extensions: a known type has none, an unknown one is an error.
                if (index.TryFindSymbol(request.AllExtensionNumbersOfType, out _))
                {
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                }
                else
                {
                    response.ErrorResponse = NotFound($"Type not found: {request.AllExtensionNumbersOfType}");
                }

                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                response.ErrorResponse = NotFound($"Extension not found: {request.FileContainingExtension?.ContainingType} #{request.FileContainingExtension?.ExtensionNumber}");
                break;

            default:
                response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.Unimplemented, ErrorMessage = $"Unsupported reflection request: {request.MessageRequestCase}" };
                break;
        }

        return response;
    }

    private static FileDescriptorResponse Files(Google.Protobuf.Reflection.FileDescriptor file)
    {
        var response = new FileDescriptorResponse();
        response.FileDescriptorProto.Add(DescriptorIndex.WithDependencies(file));
        return response;
    }

    private static ErrorResponse NotFound(string message) => new() { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = message };
}
