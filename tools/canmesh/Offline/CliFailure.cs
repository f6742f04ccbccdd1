namespace CanMesh.Cli.Offline;

/// <summary>
/// A failure the person at the terminal can act on: its message is printed as one line, with its exit code, never
/// a stack trace.
/// </summary>
internal sealed class CliFailure(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliFailure Usage(string message) => new(message, ExitCodes.BadUsage);
}
