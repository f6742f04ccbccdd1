using CanMesh.Rpc.Client;
using CanMesh.Rpc.Health;
using CanMesh.Rpc.Tests.Infrastructure;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace CanMesh.Rpc.Tests;

public sealed class HealthTests(RpcTestServer server) : IClassFixture<RpcTestServer>
{
    [Fact]
    public async Task Check_reports_the_server_and_each_known_service()
    {
        server.Health.SetStatus("canmesh.test.v1.EchoService", ServingStatus.NotServing);

        HealthCheckResponse overall = await server.Channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest());
        HealthCheckResponse echo = await server.Channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "canmesh.test.v1.EchoService" });

        Assert.Equal(ServingStatus.Serving, overall.Status);
        Assert.Equal(ServingStatus.NotServing, echo.Status);
    }

    [Fact]
    public async Task Check_of_an_unknown_service_is_not_found()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            server.Channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "no.such.Service" }));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_each_change()
    {
        const string service = "watched.Service";
        await using ServerStreamingCall<HealthCheckResponse> call = server.Channel.ServerStreaming(HealthService.WatchMethod, new HealthCheckRequest { Service = service });

        Assert.Equal(ServingStatus.ServiceUnknown, (await call.ResponseStream.ReadAsync())?.Status);
        server.Health.SetStatus(service, ServingStatus.Serving);
        Assert.Equal(ServingStatus.Serving, (await call.ResponseStream.ReadAsync())?.Status);
        server.Health.SetStatus(service, ServingStatus.NotServing);
        Assert.Equal(ServingStatus.NotServing, (await call.ResponseStream.ReadAsync())?.Status);
        server.Health.ClearStatus(service);
        Assert.Equal(ServingStatus.ServiceUnknown, (await call.ResponseStream.ReadAsync())?.Status);
    }

    [Fact]
    public async Task List_returns_every_status()
    {
        server.Health.SetStatus("listed.Service", ServingStatus.Serving);

        HealthListResponse list = await server.Channel.UnaryAsync(HealthService.ListMethod, new HealthListRequest());

        Assert.Equal(ServingStatus.Serving, list.Statuses[string.Empty].Status);
        Assert.Equal(ServingStatus.Serving, list.Statuses["listed.Service"].Status);
    }
}
