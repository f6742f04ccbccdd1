using CanMesh.Configuration;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CanMesh.Forwarder.Configuration;

/// <summary>
/// Reads and validates the forwarder's configuration (the Capture, Forwarder and Postgres sections), every
/// problem at once, each naming its key and environment variable, the value and what is allowed.
/// </summary>
public static class ForwarderSettingsReader
{
    /// <exception cref="ConfigurationException">The configuration has problems; the message lists them.</exception>
    public static ForwarderSettings Read(IConfiguration configuration, string? baseDirectory = null)
    {
        var reader = new SettingsReader(configuration);
        var defaults = new ForwarderSettings { Postgres = new PostgresSettings { ConnectionString = "" } };
        var socket = reader.GetString("Capture:Socket", ForwarderSettings.DefaultCaptureSocket);
        var subscriber = reader.GetString("Forwarder:Subscriber", defaults.Subscriber);
        if (!IsSubscriberName(subscriber))
        {
            reader.AddProblem("Forwarder:Subscriber", subscriber, "1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'");
        }
        var settings = new ForwarderSettings
        {
            CaptureSocket = Resolve(socket, baseDirectory),
            Subscriber = subscriber,
            BatchFrames = reader.GetInt32("Forwarder:BatchFrames", defaults.BatchFrames, 16, 16_384),
            CommitMaxFrames = reader.GetInt32("Forwarder:Commit:MaxFrames", defaults.CommitMaxFrames, 1, 4_000_000),
            CommitMaxDelay = reader.GetDuration("Forwarder:Commit:MaxDelay", defaults.CommitMaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10)),
            RetryInitialDelay = reader.GetDuration("Forwarder:Retry:InitialDelay", defaults.RetryInitialDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
            RetryMaxDelay = reader.GetDuration("Forwarder:Retry:MaxDelay", defaults.RetryMaxDelay, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            StatsInterval = reader.GetDuration("Forwarder:StatsInterval", defaults.StatsInterval, TimeSpan.Zero, TimeSpan.FromDays(1)),
            Postgres = ReadPostgres(reader, baseDirectory),
        };
        if (settings.RetryMaxDelay < settings.RetryInitialDelay)
        {
            reader.AddProblem("Forwarder:Retry:MaxDelay", DurationText.Format(settings.RetryMaxDelay),
                $"must not be shorter than Forwarder:Retry:InitialDelay ({DurationText.Format(settings.RetryInitialDelay)})");
        }
        reader.RejectUnknownKeys("Capture", "Forwarder", "Postgres");
        reader.ThrowIfInvalid();
        return settings;
    }

    private static PostgresSettings ReadPostgres(SettingsReader reader, string? baseDirectory)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        if (reader.GetOptionalString("Postgres:ConnectionString") is { } given)
        {
            try
            {
                builder.ConnectionString = given;
            }
            catch (ArgumentException e)
            {
                // The message names the bad keyword; the value may hold a password, so it is not repeated.
                reader.AddProblem("Postgres:ConnectionString", null, $"not a valid Npgsql connection string: {e.Message}");
            }
        }
        // Parts override the connection string, so a deployment can keep one string and change one part.
        if (reader.GetOptionalString("Postgres:Host") is { } host) builder.Host = host;
        builder.Port = reader.GetInt32("Postgres:Port", builder.Port, 1, 65_535);
        if (reader.GetOptionalString("Postgres:Database") is { } database) builder.Database = database;
        if (reader.GetOptionalString("Postgres:Username") is { } username) builder.Username = username;

        var password = reader.GetOptionalString("Postgres:Password");
        var passwordFile = reader.GetOptionalString("Postgres:PasswordFile");
        if (password is not null && passwordFile is not null)
        {
            reader.AddProblem("Postgres:PasswordFile", passwordFile, "give either Postgres:Password or Postgres:PasswordFile, not both");
        }
        else if (password is not null)
        {
            builder.Password = password;
        }
        else if (passwordFile is not null)
        {
            var path = Resolve(passwordFile, baseDirectory);
            try
            {
                // A docker secret or a file written by `echo` ends with a newline that is not part of the password.
                builder.Password = File.ReadAllText(path).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reader.AddProblem("Postgres:PasswordFile", passwordFile, $"cannot be read ({e.Message}); mount the secret there or fix its permissions");
            }
        }

        builder.SslMode = reader.GetEnum("Postgres:SslMode", builder.SslMode);
        if (reader.GetOptionalString("Postgres:RootCertificate") is { } root) builder.RootCertificate = RequireFile(reader, "Postgres:RootCertificate", root, baseDirectory);
        if (reader.GetOptionalString("Postgres:ClientCertificate") is { } cert) builder.SslCertificate = RequireFile(reader, "Postgres:ClientCertificate", cert, baseDirectory);
        if (reader.GetOptionalString("Postgres:ClientKey") is { } key) builder.SslKey = RequireFile(reader, "Postgres:ClientKey", key, baseDirectory);
        builder.Timeout = (int)reader.GetDuration("Postgres:ConnectTimeout", TimeSpan.FromSeconds(builder.Timeout == 15 ? 10 : builder.Timeout),
            TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)).TotalSeconds;
        builder.CommandTimeout = (int)reader.GetDuration("Postgres:CommandTimeout", TimeSpan.FromSeconds(builder.CommandTimeout == 30 ? 60 : builder.CommandTimeout),
            TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)).TotalSeconds;
        // A dead peer (cable pulled, server frozen) is noticed by TCP keepalive, not after the OS's 2 hours.
        if (builder.KeepAlive == 0) builder.KeepAlive = 15;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "canmesh-forwarder";

        var schema = reader.GetString("Postgres:Schema", "canmesh");
        if (!IsIdentifier(schema))
        {
            reader.AddProblem("Postgres:Schema", schema, "a lower-case SQL identifier: a-z, 0-9 and '_', starting with a letter, at most 63 characters");
        }
        if (string.IsNullOrEmpty(builder.Host))
        {
            reader.AddProblem("Postgres:Host", null, "required: where PostgreSQL runs (or give Postgres:ConnectionString with Host=...)");
        }
        if (string.IsNullOrEmpty(builder.Database))
        {
            reader.AddProblem("Postgres:Database", null, "required: the database to write into (or give Postgres:ConnectionString with Database=...)");
        }
        if (string.IsNullOrEmpty(builder.Username))
        {
            reader.AddProblem("Postgres:Username", null, "required: the role to log in as (or give Postgres:ConnectionString with Username=...)");
        }
        return new PostgresSettings { ConnectionString = builder.ConnectionString, Schema = schema };
    }

    private static string? RequireFile(SettingsReader reader, string key, string value, string? baseDirectory)
    {
        var path = Resolve(value, baseDirectory);
        if (!File.Exists(path)) reader.AddProblem(key, value, $"no such file ({path})");
        return path;
    }

    private static string Resolve(string path, string? baseDirectory) =>
        baseDirectory is null || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));

    private static bool IsSubscriberName(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static bool IsIdentifier(string name) =>
        name.Length is >= 1 and <= 63 && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
