using System.Diagnostics;

namespace CanMesh.Testing;

/// <summary>
/// The real forwarder executable (canmesh-forwarder.dll) as a child process: see <see cref="ServiceProcess"/>.
/// A test project that starts it references services/forwarder, so the executable is in its output folder.
/// </summary>
public sealed class ForwarderProcess : ServiceProcess
{
    private ForwarderProcess(Process process)
        : base(process)
    {
    }

    protected override string LogName => "forwarder";

    public static ForwarderProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Launch("canmesh-forwarder.dll", [], environment, arguments));
}
