namespace CanMesh.Flipper.Tests.Infrastructure;

/// <summary>The CANMESH_* environment of a flipper process: its device and the capture's socket, with short intervals.</summary>
public sealed class FlipperEnvironment
{
    public const string Label = "testpi";

    private readonly Dictionary<string, string> _variables = [];

    public FlipperEnvironment(string device, string captureSocket)
    {
        _variables["CANMESH_FLIPPER__DEVICE"] = device;
        _variables["CANMESH_CAPTURE__SOCKET"] = captureSocket;
        _variables["CANMESH_FLIPPER__LABEL"] = Label;
        // Short enough that a test sees many lines, long enough not to load the busy machine.
        _variables["CANMESH_FLIPPER__INTERVAL"] = "200ms";
        _variables["CANMESH_FLIPPER__REOPENDELAY"] = "200ms";
    }

    public IReadOnlyDictionary<string, string> Variables => _variables;

    /// <summary>Any other setting, by its documented environment variable; null removes it.</summary>
    public FlipperEnvironment Set(string variable, string? value)
    {
        if (!variable.StartsWith("CANMESH_", StringComparison.Ordinal)) throw new ArgumentException($"{variable} is not a CANMESH_ setting", nameof(variable));
        if (value is null) _variables.Remove(variable);
        else _variables[variable] = value;
        return this;
    }
}
