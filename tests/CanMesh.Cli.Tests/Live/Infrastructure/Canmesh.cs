using System.Diagnostics;

namespace CanMesh.Cli.Tests.Live.Infrastructure;

/// <summary>
/// The canmesh executable as a child process, as a user runs it: standard output redirected (no terminal), the socket
/// from CANMESH_SOCKET. Uses <see cref="CliProcess"/> when canmesh can run from the test output. Today it cannot: the
/// test project's output leaves out Microsoft.Extensions.Logging.Abstractions (the capture service it also references
/// takes it from the ASP.NET Core shared framework, which canmesh does not run on), so until the project files fix
/// that (a FrameworkReference to Microsoft.AspNetCore.App in CanMesh.Cli.csproj does) the tool runs from its own
/// build output, which the test build produces too.
/// </summary>
internal sealed class Canmesh : ServiceProcess
{
    private static readonly bool TestOutputIsComplete =
        File.Exists(Path.Combine(AppContext.BaseDirectory, "Microsoft.Extensions.Logging.Abstractions.dll")) ||
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "canmesh.runtimeconfig.json")).Contains("Microsoft.AspNetCore.App", StringComparison.Ordinal);

    private Canmesh(Process process)
        : base(process)
    {
    }

    protected override string LogName => "canmesh";

    /// <summary>Runs canmesh to its end (at most a minute) and returns it finished: ExitCode, Stdout, Stderr.</summary>
    public static async Task<ServiceProcess> RunAsync(string socketPath, params string[] arguments)
    {
        if (TestOutputIsComplete) return await CliProcess.RunAsync(Environment(socketPath), arguments, TimeSpan.FromMinutes(1));
        var process = Start(socketPath, arguments);
        if (!await process.WaitForExitAsync(TimeSpan.FromMinutes(1)))
        {
            process.KillHard();
            throw new TimeoutException($"canmesh {string.Join(' ', arguments)} did not exit within a minute. Output:\n{process.Output}");
        }
        return process;
    }

    /// <summary>Starts canmesh for a verb that runs until stopped (dump, status --watch).</summary>
    public static ServiceProcess Start(string socketPath, params string[] arguments) => TestOutputIsComplete
        ? CliProcess.Start(Environment(socketPath), arguments)
        : new Canmesh(Launch(ToolOutput(), [], Environment(socketPath), arguments));

    /// <summary>The canmesh.dll these tests run, for a test that needs a shell around it (a pipe).</summary>
    public static string DllPath => TestOutputIsComplete ? Path.Combine(AppContext.BaseDirectory, "canmesh.dll") : ToolOutput();

    private static Dictionary<string, string> Environment(string socketPath) => new() { ["CANMESH_SOCKET"] = socketPath };

    /// <summary>tools/canmesh/bin/CONFIGURATION/TFM/canmesh.dll, for the configuration and framework of these tests.</summary>
    private static string ToolOutput()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(RepositoryRoot.Path, "tools", "canmesh", "bin", output.Parent!.Name, output.Name, "canmesh.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"canmesh is not built: {path}");
    }
}
