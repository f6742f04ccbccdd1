using System.Runtime.InteropServices;
using CanMesh.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CanMesh.Hosting;

/// <summary>
/// The life of a long-running CanMesh service from its <c>--config</c> path to its exit code: reads the configuration
/// (the file, then CANMESH_ variables) and reports every problem at once (exit 2), creates the loggers, and runs the
/// service until SIGTERM or Ctrl+C cancels its token.
/// </summary>
public static class ServiceRunner
{
    /// <param name="configPath">The <c>--config</c> option's value, or null.</param>
    /// <param name="readSettings">
    /// Reads the service's settings from the configuration and the folder relative paths are resolved against;
    /// throws <see cref="ConfigurationException"/> with every problem it found.
    /// </param>
    /// <param name="run">
    /// The service: returns its exit code (<see cref="ServiceExitCodes"/>) and maps its own permanent failures to
    /// <see cref="ServiceExitCodes.Failed"/> with a log line; its token is cancelled by SIGTERM or SIGINT.
    /// </param>
    public static async Task<int> RunAsync<TSettings>(string? configPath, Func<IConfiguration, string, TSettings> readSettings,
        Func<TSettings, ILoggerFactory, CancellationToken, Task<int>> run)
    {
        TSettings settings;
        ILoggerFactory loggers;
        try
        {
            var configuration = ServiceConfiguration.Build(configPath);
            var reader = new SettingsReader(configuration);
            var logging = ServiceLogging.Read(reader);
            var problems = reader.Problems.ToList();
            try
            {
                settings = readSettings(configuration, ServiceConfiguration.BaseDirectory(configPath));
            }
            catch (ConfigurationException error)
            {
                // Logging's problems and the service's, reported together.
                throw new ConfigurationException([.. problems, .. error.Problems]);
            }
            reader.ThrowIfInvalid();
            loggers = LoggerFactory.Create(builder => ServiceLogging.Configure(builder, logging));
        }
        catch (ConfigurationException error)
        {
            Console.Error.WriteLine(error.Message);
            return ServiceExitCodes.BadConfiguration;
        }

        using (loggers)
        {
            using var stopping = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                // Handled here: the service drains and returns instead of the runtime ending the process.
                context.Cancel = true;
                stopping.Cancel();
            }
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            return await run(settings, loggers, stopping.Token);
        }
    }
}
