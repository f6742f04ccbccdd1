using System.CommandLine;

namespace CanMesh.Cli;

/// <summary>The capture service's socket: --socket, else CANMESH_SOCKET, else the services' default path.</summary>
internal static class SocketOption
{
    public const string DefaultPath = "/run/canmesh/capture.sock";
    public const string EnvironmentVariable = "CANMESH_SOCKET";

    public static Option<string> Create() => new("--socket", "-s")
    {
        Description = $"The capture service's Unix socket (default: ${EnvironmentVariable}, else {DefaultPath}).",
        HelpName = "PATH",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path ? path : DefaultPath,
    };
}
