using System.Diagnostics;

namespace CanMesh.Testing;

/// <summary>
/// The real command line (canmesh.dll) as a child process: see <see cref="ServiceProcess"/>. A test project that
/// runs it references tools/canmesh, so the executable is in its output folder. Standard input is not redirected:
/// the tool sees no terminal, as in a script.
/// </summary>
public sealed class CliProcess : ServiceProcess
{
    private CliProcess(Process process)
        : base(process)
    {
    }

    protected override string LogName => "canmesh";

    /// <summary>Starts canmesh with <paramref name="arguments"/>; for verbs that run until stopped (dump, top, status --watch).</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Launch("canmesh.dll", [], environment, arguments));

    /// <summary>
    /// Runs canmesh to its end and returns the finished process (ExitCode, Stdout, Stderr). Throws if it has not
    /// exited within <paramref name="timeout"/> (default two minutes: generous for a busy 2-core machine).
    /// </summary>
    public static async Task<CliProcess> RunAsync(IReadOnlyDictionary<string, string> environment, string[] arguments, TimeSpan? timeout = null)
    {
        var process = Start(environment, arguments);
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        if (!await process.WaitForExitAsync(limit).ConfigureAwait(false))
        {
            process.KillHard();
            throw new TimeoutException($"canmesh {string.Join(' ', arguments)} did not exit within {limit.TotalSeconds:0} s. Output:\n{process.Output}");
        }
        return process;
    }
}
