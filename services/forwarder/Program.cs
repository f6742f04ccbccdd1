using System.CommandLine;
using CanMesh.Forwarder.Configuration;
using CanMesh.Forwarder.Forwarding;
using CanMesh.Forwarder.Hosting;
using CanMesh.Forwarder.Postgres;
using CanMesh.Hosting;
using Grpc.Core;
using Microsoft.Extensions.Logging;

// canmesh-forwarder: every frame the capture service commits, into PostgreSQL exactly once.
var configOption = new Option<string?>("--config", "-c")
{
    Description = "JSON configuration file. Environment variables CANMESH_<SECTION>__<KEY> override it " +
        "(CANMESH_POSTGRES__HOST=db, CANMESH_POSTGRES__PASSWORDFILE=/run/secrets/pg).",
    HelpName = "PATH",
};
var root = new RootCommand(
    "CanMesh forwarder: subscribes to the capture service (Capture:Socket) as a retaining subscriber and writes every " +
    "committed frame into PostgreSQL with binary COPY, exactly once: the capture's position is stored in the same " +
    "transaction as its rows and the frames are acknowledged only after the commit. Rides out PostgreSQL and capture " +
    "outages (retries with backoff, resumes where PostgreSQL stands). Creates and migrates its schema on start. " +
    "Stops cleanly on SIGTERM or Ctrl+C. Exit codes: 0 stopped, 1 failed, 2 bad configuration.")
{
    configOption,
};
root.SetAction((parse, _) => RunAsync(parse.GetValue(configOption)));
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static Task<int> RunAsync(string? configPath) =>
    ServiceRunner.RunAsync(configPath, ForwarderSettingsReader.Read, async (settings, loggers, stopping) =>
    {
        var logger = loggers.CreateLogger("CanMesh.Forwarder");
        try
        {
            await new ForwarderService(settings, loggers).RunAsync(stopping);
            return ServiceExitCodes.Ok;
        }
        catch (SchemaTooNewException error)
        {
            ForwarderLog.Fatal(logger, error.Message);
            return ServiceExitCodes.Failed;
        }
        catch (RpcException error)
        {
            // A permanent refusal by the capture service (not UNAVAILABLE: that is waited out).
            ForwarderLog.Fatal(logger, $"The capture service at {settings.CaptureSocket} refused the subscription: {error.Status.StatusCode}: {error.Status.Detail}");
            return ServiceExitCodes.Failed;
        }
    });
