using System.CommandLine;
using CanMesh.Capture.Api;
using CanMesh.Capture.Configuration;
using CanMesh.Capture.Export;
using CanMesh.Capture.Hosting;
using CanMesh.Configuration;
using CanMesh.Hosting;
using CanMesh.Rpc.Health;
using CanMesh.Rpc.Hosting;
using CanMesh.Rpc.Reflection;
using CanMesh.Rpc.Server;
using CanMesh.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// canmesh-capture: reads CAN interfaces and journals every frame to SQLite.
var configOption = new Option<string?>("--config", "-c")
{
    Description = "JSON configuration file. Environment variables CANMESH_<SECTION>__<KEY> override it (CANMESH_STORE__PATH=/data/capture.db).",
    HelpName = "PATH",
};

var root = new RootCommand(
    "CanMesh capture service: reads every configured CAN interface (SocketCAN, candump log replay, or a simulator) " +
    "on its own thread and writes every frame durably to a SQLite journal. Stops cleanly on SIGTERM or Ctrl+C " +
    "after committing every frame it has read.")
{
    configOption,
};
root.SetAction((parse, cancellation) => RunServiceAsync(parse.GetValue(configOption)));

var exportDatabase = new Option<string?>("--database", "-d") { Description = "Capture database to read (default: Store:Path from --config).", HelpName = "PATH" };
var exportOutput = new Option<string?>("--output", "-o") { Description = "File to write (default: standard output).", HelpName = "FILE" };
var exportFrom = new Option<long>("--from-seq") { Description = "First seq to export.", DefaultValueFactory = _ => 1 };
var exportTo = new Option<long>("--to-seq") { Description = "Last seq to export.", DefaultValueFactory = _ => long.MaxValue };
var export = new Command("export", "Write stored frames as a candump log (candump -l format), in seq order.")
{
    configOption, exportDatabase, exportOutput, exportFrom, exportTo,
};
export.SetAction(parse => Export(parse.GetValue(configOption), parse.GetValue(exportDatabase), parse.GetValue(exportOutput),
    parse.GetValue(exportFrom), parse.GetValue(exportTo)));
root.Subcommands.Add(export);

// The host handles SIGTERM and SIGINT itself (drain, commit, exit); the parser must not kill the process first.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunServiceAsync(string? configPath)
{
    CaptureSettings settings;
    ServiceLogging.Settings logging;
    try
    {
        var configuration = ServiceConfiguration.Build(configPath);
        var reader = new SettingsReader(configuration);
        logging = ServiceLogging.Read(reader);
        reader.ThrowIfInvalid();
        settings = CaptureSettingsReader.Read(configuration, ServiceConfiguration.BaseDirectory(configPath));
    }
    catch (ConfigurationException error)
    {
        Console.Error.WriteLine(error.Message);
        return ExitCodes.BadConfiguration;
    }

    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.Sources.Clear();
    ServiceLogging.Configure(builder.Logging, logging);
    builder.Services.AddSingleton(settings);
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddSingleton<CaptureService>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<CaptureService>());
    builder.Services.AddSingleton<CaptureApi>();
    builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
    if (settings.Api.Enabled)
    {
        builder.AddGrpcUnixSocket(new UnixSocketListenerOptions
        {
            SocketPath = settings.Api.SocketPath,
            SocketMode = settings.Api.SocketMode,
            SocketGroup = settings.Api.SocketGroup,
            LoopbackTcpPort = settings.Api.TcpPort,
        });
    }
    else
    {
        // Kestrel still starts with the web host: give it nothing to listen on.
        builder.WebHost.ConfigureKestrel(k => { });
        builder.WebHost.UseUrls();
    }

    using var host = builder.Build();
    if (settings.Api.Enabled)
    {
        var registry = new GrpcServiceRegistry();
        host.Services.GetRequiredService<CaptureApi>().Register(registry);
        var health = new HealthService();
        health.SetStatus("", Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus(CaptureApi.ServiceName, Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        health.Register(registry);
        ReflectionService.Register(registry);
        host.MapGrpc(registry);
        host.Lifetime.ApplicationStopping.Register(health.SetAllNotServing);
    }
    // RunAsync disposes the host: take the logger first, for a failure to start.
    var startupLogger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CanMesh.Capture");
    try
    {
        await host.RunAsync().ConfigureAwait(false);
        // CaptureService sets a failure code when the store writer died.
        return Environment.ExitCode;
    }
    catch (Exception error) when (error is CanMesh.Store.Sqlite.SqliteError or InvalidOperationException or IOException or UnauthorizedAccessException)
    {
        startupLogger.LogCritical("Capture failed: {Message}", error.Message);
        return ExitCodes.Failed;
    }
}

static int Export(string? configPath, string? databasePath, string? outputPath, long fromSeq, long toSeq)
{
    try
    {
        var path = databasePath;
        if (path is null)
        {
            var configuration = ServiceConfiguration.Build(configPath);
            path = CaptureSettingsReader.Read(configuration, ServiceConfiguration.BaseDirectory(configPath)).Store.Path;
        }
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"No capture database at {Path.GetFullPath(path)}. Give --database PATH or the --config the capture service runs with.");
            return ExitCodes.BadConfiguration;
        }
        using var journal = FrameJournal.Open(new StoreSettings { Path = path });
        using var output = outputPath is null ? Console.OpenStandardOutput() : File.Create(outputPath);
        var written = CandumpExport.Write(journal, output, fromSeq, toSeq);
        Console.Error.WriteLine($"Exported {written} frames from {path} (seq {Math.Max(fromSeq, journal.FirstSeq)}..{Math.Min(toSeq, journal.CommittedSeq)}).");
        return ExitCodes.Ok;
    }
    catch (ConfigurationException error)
    {
        Console.Error.WriteLine(error.Message);
        return ExitCodes.BadConfiguration;
    }
}

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadConfiguration = 2;
}
