using System.Diagnostics;

namespace CanMesh.Testing;

/// <summary>The real capture executable (canmesh-capture.dll) as a child process: see <see cref="ServiceProcess"/>.</summary>
public sealed class CaptureProcess : ServiceProcess
{
    private CaptureProcess(Process process)
        : base(process)
    {
    }

    protected override string LogName => "capture";

    public static CaptureProcess Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    public static CaptureProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Launch("canmesh-capture.dll", [], environment, arguments));

    /// <summary>
    /// The capture run as another user and group (<paramref name="id"/> for both, no supplementary groups), through
    /// setpriv: what a service account meets. Needs root.
    /// </summary>
    public static CaptureProcess StartAsUser(int id, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Launch("canmesh-capture.dll", ["setpriv", $"--reuid={id}", $"--regid={id}", "--clear-groups"], environment, arguments));
}
