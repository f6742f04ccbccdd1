using System.CommandLine;
using CanMesh.Cli.Commands;

// canmesh: one tool for a running capture service and for capture databases, in the conventions of can-utils.
var root = new RootCommand(
    "canmesh: talks to a running CanMesh capture service over its Unix socket (--socket or CANMESH_SOCKET, default " +
    "/run/canmesh/capture.sock) and reads capture databases offline. Exit codes: 0 done, 1 failed, 2 bad usage.")
{
    StatusCommand.Create(),
    DumpCommand.Create(),
    TopCommand.Create(),
    ExportCommand.Create(),
    ImportCommand.Create(),
    HealthCommand.Create(),
    SubscribersCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
