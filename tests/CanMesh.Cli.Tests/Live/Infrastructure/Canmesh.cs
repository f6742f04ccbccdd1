namespace CanMesh.Cli.Tests.Live.Infrastructure;

/// <summary>
/// The canmesh executable as a child process (<see cref="CliProcess"/>), as a user runs it: standard output redirected
/// (no terminal), the socket from CANMESH_SOCKET.
/// </summary>
internal static class Canmesh
{
    /// <summary>Runs canmesh to its end (at most a minute) and returns it finished: ExitCode, Stdout, Stderr.</summary>
    public static async Task<ServiceProcess> RunAsync(string socketPath, params string[] arguments) =>
        await CliProcess.RunAsync(Environment(socketPath), arguments, TimeSpan.FromMinutes(1));

    /// <summary>Starts canmesh for a verb that runs until stopped (dump, status --watch).</summary>
    public static ServiceProcess Start(string socketPath, params string[] arguments) => CliProcess.Start(Environment(socketPath), arguments);

    /// <summary>The canmesh.dll these tests run, for a test that needs a shell around it (a pipe).</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "canmesh.dll");

    private static Dictionary<string, string> Environment(string socketPath) => new() { ["CANMESH_SOCKET"] = socketPath };
}
