using System.Globalization;

namespace CanMesh.Testing;

/// <summary>The CANMESH_* environment of a capture process: its interfaces, database and socket.</summary>
public sealed class CaptureEnvironment
{
    private readonly Dictionary<string, string> _variables = [];
    private int _interfaces;

    public CaptureEnvironment(TempFolder folder)
    {
        _variables["CANMESH_STORE__PATH"] = folder.Database;
        _variables["CANMESH_API__SOCKETPATH"] = folder.Socket;
        _variables["CANMESH_CAPTURE__STATS__INTERVAL"] = "1s";
        // A finished replay must not stop the capture: the sims go on.
        _variables["CANMESH_CAPTURE__EXITWHENSOURCESEND"] = "false";
    }

    public IReadOnlyDictionary<string, string> Variables => _variables;

    public CaptureEnvironment Sim(string name, int framesPerSecond, int seed = 1, string? idMin = null, string? idMax = null,
        double extendedShare = 0, double fdShare = 0)
    {
        var prefix = Interface(name, "sim");
        _variables[prefix + "FRAMESPERSECOND"] = framesPerSecond.ToString(CultureInfo.InvariantCulture);
        _variables[prefix + "SEED"] = seed.ToString(CultureInfo.InvariantCulture);
        if (idMin is not null) _variables[prefix + "IDMIN"] = idMin;
        if (idMax is not null) _variables[prefix + "IDMAX"] = idMax;
        if (extendedShare > 0) _variables[prefix + "EXTENDEDSHARE"] = extendedShare.ToString(CultureInfo.InvariantCulture);
        if (fdShare > 0) _variables[prefix + "FDSHARE"] = fdShare.ToString(CultureInfo.InvariantCulture);
        return this;
    }

    /// <summary>A candump log played once, as fast as possible, with its recorded timestamps.</summary>
    public CaptureEnvironment Replay(string name, string path)
    {
        var prefix = Interface(name, "replay");
        _variables[prefix + "PATH"] = path;
        return this;
    }

    /// <summary>Any other setting, by its documented environment variable (CANMESH_STORE__RETENTION__CHECKINTERVAL).</summary>
    public CaptureEnvironment Set(string variable, string value)
    {
        if (!variable.StartsWith("CANMESH_", StringComparison.Ordinal)) throw new ArgumentException($"{variable} is not a CANMESH_ setting", nameof(variable));
        _variables[variable] = value;
        return this;
    }

    private string Interface(string name, string source)
    {
        var prefix = $"CANMESH_CAPTURE__INTERFACES__{_interfaces++}__";
        _variables[prefix + "NAME"] = name;
        _variables[prefix + "SOURCE"] = source;
        return prefix;
    }
}
