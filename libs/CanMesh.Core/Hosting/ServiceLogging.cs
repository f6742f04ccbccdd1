using CanMesh.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CanMesh.Hosting;

/// <summary>
/// The console logging every CanMesh service uses, chosen by Logging:Format (simple, systemd, json)
/// and Logging:Level (trace, debug, information, warning, error).
/// </summary>
public static class ServiceLogging
{
    public sealed record Settings(LogFormat Format, LogLevel Level);

    /// <summary>Reads the Logging section, reporting problems to <paramref name="reader"/>.</summary>
    public static Settings Read(SettingsReader reader)
    {
        var settings = new Settings(reader.GetEnum("Logging:Format", LogFormat.Simple), reader.GetEnum("Logging:Level", LogLevel.Information));
        reader.RejectUnknownKeys("Logging");
        return settings;
    }

    public static void Configure(ILoggingBuilder logging, Settings settings)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(settings.Level);
        // Kestrel and the host are chatty at Information; their warnings still come through.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // grpc-dotnet reports every cancelled call at Information, with a stack trace: a subscriber that
        // disconnects or a service that stops is not news; the services log what it means themselves.
        logging.AddFilter("Grpc", LogLevel.Warning);
        // A failed start is reported by the service itself in one line that says what to do; the host's
        // own report of it repeats that with a stack trace.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        switch (settings.Format)
        {
            case LogFormat.Json:
                logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
                break;
            case LogFormat.Systemd:
                // journald stamps lines itself.
                logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
                break;
            default:
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
                break;
        }
    }

    /// <summary>A logger factory for command-line tools that run without a host.</summary>
    public static ILoggerFactory CreateFactory(IConfiguration configuration)
    {
        var reader = new SettingsReader(configuration);
        var settings = Read(reader);
        reader.ThrowIfInvalid();
        return LoggerFactory.Create(builder => Configure(builder, settings));
    }
}
