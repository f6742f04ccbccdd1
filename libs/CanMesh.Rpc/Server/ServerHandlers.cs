namespace CanMesh.Rpc.Server;

public delegate Task<TResponse> UnaryHandler<in TRequest, TResponse>(TRequest request, ServerCallContext context);

public delegate Task ServerStreamingHandler<in TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responses, ServerCallContext context);

public delegate Task<TResponse> ClientStreamingHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requests, ServerCallContext context)
    where TRequest : class;

public delegate Task DuplexStreamingHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext context)
    where TRequest : class;
