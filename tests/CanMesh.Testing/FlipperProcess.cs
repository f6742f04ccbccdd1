using System.Diagnostics;

namespace CanMesh.Testing;

/// <summary>
/// The real flipper executable (canmesh-flipper.dll) as a child process: see <see cref="ServiceProcess"/>.
/// A test project that starts it references services/flipper, so the executable is in its output folder.
/// </summary>
public sealed class FlipperProcess : ServiceProcess
{
    private FlipperProcess(Process process)
        : base(process)
    {
    }

    protected override string LogName => "flipper";

    public static FlipperProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Launch("canmesh-flipper.dll", [], environment, arguments));
}
