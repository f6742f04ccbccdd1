using Npgsql;

namespace CanMesh.Forwarder.Tests.Infrastructure;

/// <summary>The CANMESH_* environment of a forwarder process: the capture's socket and a PostgreSQL database.</summary>
public sealed class ForwarderEnvironment
{
    private readonly Dictionary<string, string> _variables = [];

    public ForwarderEnvironment(string captureSocket, string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _variables["CANMESH_CAPTURE__SOCKET"] = captureSocket;
        _variables["CANMESH_POSTGRES__HOST"] = builder.Host!;
        _variables["CANMESH_POSTGRES__PORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _variables["CANMESH_POSTGRES__DATABASE"] = builder.Database!;
        _variables["CANMESH_POSTGRES__USERNAME"] = builder.Username!;
        _variables["CANMESH_POSTGRES__PASSWORD"] = builder.Password!;
        _variables["CANMESH_FORWARDER__STATSINTERVAL"] = "1s";
        // Outages in tests last seconds: retry often so the tests see recovery soon after the server is back.
        _variables["CANMESH_FORWARDER__RETRY__MAXDELAY"] = "1s";
        _variables["CANMESH_FORWARDER__RETRY__INITIALDELAY"] = "50ms";
        // A frozen (paused) server must fail a command within seconds, not a minute.
        _variables["CANMESH_POSTGRES__COMMANDTIMEOUT"] = "5s";
        _variables["CANMESH_POSTGRES__CONNECTTIMEOUT"] = "2s";
    }

    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>Any other setting, by its documented environment variable; null removes it.</summary>
    public ForwarderEnvironment Set(string variable, string? value)
    {
        if (!variable.StartsWith("CANMESH_", StringComparison.Ordinal)) throw new ArgumentException($"{variable} is not a CANMESH_ setting", nameof(variable));
        if (value is null) _variables.Remove(variable);
        else _variables[variable] = value;
        return this;
    }
}
