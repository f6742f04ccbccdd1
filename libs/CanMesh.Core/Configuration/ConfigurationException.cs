namespace CanMesh.Configuration;

/// <summary>
/// The configuration is not usable. <see cref="Exception.Message"/> lists every problem, one per line,
/// each naming the key (with its CANMESH_ environment form), the value given, and what is allowed.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(IReadOnlyList<string> problems)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
