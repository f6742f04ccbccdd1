using System.CommandLine;

namespace CanMesh.Cli.Commands;

// Placeholder on the base branch only: the verb's helper replaces this file.
internal static class SubscribersCommand
{
    public static Command Create() => new("subscribers", "Not built yet.");
}
