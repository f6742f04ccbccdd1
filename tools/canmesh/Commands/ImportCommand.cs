using System.CommandLine;

namespace CanMesh.Cli.Commands;

// Placeholder on the base branch only: the verb's helper replaces this file.
internal static class ImportCommand
{
    public static Command Create() => new("import", "Not built yet.");
}
