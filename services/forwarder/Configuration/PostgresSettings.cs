using Npgsql;

namespace CanMesh.Forwarder.Configuration;

/// <summary>
/// Where PostgreSQL is and how to talk to it: the Npgsql connection string built from Postgres:ConnectionString
/// and/or its parts, the password from the environment or a file (docker secrets), TLS, timeouts.
/// </summary>
public sealed record PostgresSettings
{
    /// <summary>The complete Npgsql connection string, password included (never logged: see <see cref="Describe"/>).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The schema holding CanMesh's tables (created if missing).</summary>
    public string Schema { get; init; } = "canmesh";

    /// <summary>"user@host:port/database", for log lines: no password.</summary>
    public string Describe()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
