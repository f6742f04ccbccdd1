using System.CommandLine;
using CanMesh.Capture.Configuration;
using CanMesh.Capture.Export;
using CanMesh.Capture.Hosting;
using CanMesh.Configuration;
using CanMesh.Hosting;
using CanMesh.Capture.Api.Hosting;
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
        return ServiceExitCodes.BadConfiguration;
    }

    using var host = settings.Api.Enabled ? BuildWithApi(settings, logging) : BuildWithoutApi(settings, logging);
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
        CaptureLog.Failed(startupLogger, error.Message);
        return ServiceExitCodes.Failed;
    }
}

// The capture with its gRPC API: a slim web host (Kestrel on the Unix socket).
static IHost BuildWithApi(CaptureSettings settings, ServiceLogging.Settings logging)
{
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration.Sources.Clear();
    AddCapture(builder.Services, builder.Logging, settings, logging);
    builder.AddCaptureApi(settings.Api);
    var app = builder.Build();
    app.MapCaptureApi();
    return app;
}

// Api:Enabled=false: no web server at all (Kestrel would otherwise bind its default port).
static IHost BuildWithoutApi(CaptureSettings settings, ServiceLogging.Settings logging)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
    AddCapture(builder.Services, builder.Logging, settings, logging);
    return builder.Build();
}

static void AddCapture(IServiceCollection services, ILoggingBuilder loggingBuilder, CaptureSettings settings, ServiceLogging.Settings logging)
{
    ServiceLogging.Configure(loggingBuilder, logging);
    services.AddSingleton(settings);
    services.AddSingleton(TimeProvider.System);
    services.AddSingleton<CaptureService>();
    services.AddHostedService(sp => sp.GetRequiredService<CaptureService>());
    services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
    // Open streams end at once on SIGTERM (ShutdownInterceptor) and the capture drains whatever the
    // timeout: 5 s only bounds how long Kestrel waits for a client that stopped reading, well inside
    // docker stop's 10 s.
    services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
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
            return ServiceExitCodes.BadConfiguration;
        }
        using var journal = FrameJournal.Open(new StoreSettings { Path = path });
        using var output = outputPath is null ? Console.OpenStandardOutput() : File.Create(outputPath);
        var written = CandumpExport.Write(journal, output, fromSeq, toSeq);
        Console.Error.WriteLine($"Exported {written} frames from {path} (seq {Math.Max(fromSeq, journal.FirstSeq)}..{Math.Min(toSeq, journal.CommittedSeq)}).");
        return ServiceExitCodes.Ok;
    }
    catch (ConfigurationException error)
    {
        Console.Error.WriteLine(error.Message);
        return ServiceExitCodes.BadConfiguration;
    }
}
