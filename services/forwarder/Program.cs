using System.CommandLine;
using System.Runtime.InteropServices;
using CanMesh.Configuration;
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

static async Task<int> RunAsync(string? configPath)
{
    ForwarderSettings settings;
    ILoggerFactory loggers;
    try
    {
        var configuration = ServiceConfiguration.Build(configPath);
        var reader = new SettingsReader(configuration);
        var logging = ServiceLogging.Read(reader);
        var problems = reader.Problems.ToList();
        try
        {
            settings = ForwarderSettingsReader.Read(configuration, ServiceConfiguration.BaseDirectory(configPath));
        }
        catch (ConfigurationException error)
        {
            // Logging's problems and the rest, reported together.
            throw new ConfigurationException([.. problems, .. error.Problems]);
        }
        reader.ThrowIfInvalid();
        loggers = LoggerFactory.Create(builder => ServiceLogging.Configure(builder, logging));
    }
    catch (ConfigurationException error)
    {
        Console.Error.WriteLine(error.Message);
        return ExitCodes.BadConfiguration;
    }

    using (loggers)
    {
        var logger = loggers.CreateLogger("CanMesh.Forwarder");
        using var stopping = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        try
        {
            await new ForwarderService(settings, loggers).RunAsync(stopping.Token);
            return ExitCodes.Ok;
        }
        catch (SchemaTooNewException error)
        {
            ForwarderLog.Fatal(logger, error.Message);
            return ExitCodes.Failed;
        }
        catch (RpcException error)
        {
            // A permanent refusal by the capture service (not UNAVAILABLE: that is waited out).
            ForwarderLog.Fatal(logger, $"The capture service at {settings.CaptureSocket} refused the subscription: {error.Status.StatusCode}: {error.Status.Detail}");
            return ExitCodes.Failed;
        }
    }
}

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadConfiguration = 2;
}
