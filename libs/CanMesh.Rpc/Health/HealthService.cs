using System.Threading.Channels;
using CanMesh.Rpc.Server;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace CanMesh.Rpc.Health;

/// <summary>
/// The standard grpc.health.v1.Health service (Check, Watch, List), with a status per service name.
/// The empty name stands for the whole server and starts SERVING. Thread-safe: any component may
/// report its health, e.g. the capture service marks itself NOT_SERVING while its store is down.
/// </summary>
public sealed class HealthService
{
    public const string ServiceName = "grpc.health.v1.Health";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [string.Empty] = ServingStatus.Serving };
    private readonly Dictionary<string, List<ChannelWriter<ServingStatus>>> _watchers = new(StringComparer.Ordinal);

    public static RpcMethod<HealthCheckRequest, HealthCheckResponse> CheckMethod { get; } = new(MethodType.Unary, ServiceName, "Check");

    public static RpcMethod<HealthCheckRequest, HealthCheckResponse> WatchMethod { get; } = new(MethodType.ServerStreaming, ServiceName, "Watch");

    public static RpcMethod<HealthListRequest, HealthListResponse> ListMethod { get; } = new(MethodType.Unary, ServiceName, "List");

    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Forgets a service: Check answers NOT_FOUND, Watch SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        lock (_gate)
        {
            if (_statuses.Remove(service))
            {
                Notify(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    /// <summary>For shutdown: tells watchers (load balancers, supervisors) to stop sending calls here.</summary>
    public void SetAllNotServing()
    {
        lock (_gate)
        {
            foreach (string service in _statuses.Keys.ToList())
            {
                _statuses[service] = ServingStatus.NotServing;
                Notify(service, ServingStatus.NotServing);
            }
        }
    }

    public ServingStatus? GetStatus(string service)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue(service, out ServingStatus status) ? status : null;
        }
    }

    /// <summary>Adds the service to <paramref name="registry"/>, listed by reflection too.</summary>
    public void Register(GrpcServiceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddService(HealthReflection.Descriptor.Services[0]);
        registry.AddUnary(CheckMethod, CheckAsync);
        registry.AddServerStreaming(WatchMethod, WatchAsync);
        registry.AddUnary(ListMethod, ListAsync);
    }

    private Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        ServingStatus status = GetStatus(request.Service)
            ?? throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private Task<HealthListResponse> ListAsync(HealthListRequest request, ServerCallContext context)
    {
        var response = new HealthListResponse();
        lock (_gate)
        {
            foreach ((string service, ServingStatus status) in _statuses)
            {
                response.Statuses[service] = new HealthCheckResponse { Status = status };
            }
        }

        return Task.FromResult(response);
    }

    private async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        // Capacity 1, drop oldest: a watcher only needs the latest status, and a slow one never
        // blocks SetStatus.
        Channel<ServingStatus> updates = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        ServingStatus current;
        lock (_gate)
        {
            current = _statuses.TryGetValue(request.Service, out ServingStatus known) ? known : ServingStatus.ServiceUnknown;
            if (!_watchers.TryGetValue(request.Service, out List<ChannelWriter<ServingStatus>>? list))
            {
                _watchers[request.Service] = list = [];
            }

            list.Add(updates.Writer);
        }

        try
        {
            await responses.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken).ConfigureAwait(false);
            ServingStatus last = current;
            await foreach (ServingStatus status in updates.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                if (status != last)
                {
                    last = status;
                    await responses.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                List<ChannelWriter<ServingStatus>> list = _watchers[request.Service];
                list.Remove(updates.Writer);
                if (list.Count == 0)
                {
                    _watchers.Remove(request.Service);
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out List<ChannelWriter<ServingStatus>>? list))
        {
            foreach (ChannelWriter<ServingStatus> watcher in list)
            {
                watcher.TryWrite(status);
            }
        }
    }
}
