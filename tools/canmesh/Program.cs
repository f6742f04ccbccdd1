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
// Without a verb: the list of verbs, as git and docker print it.
var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
if (parse.Errors.Count > 0)
{
    // One line and exit code 2, as for every other bad input, rather than the parser's help screen.
    var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name ? ["canmesh"] : ["canmesh", parse.CommandResult.Command.Name]);
    Console.Error.WriteLine($"canmesh: {string.Join("; ", parse.Errors.Select(error => error.Message))} (see {command} --help)");
    return CanMesh.Cli.ExitCodes.BadUsage;
}
return await parse.InvokeAsync();
