namespace CanMesh.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The operation failed, or (health) the service is not healthy.</summary>
    public const int Failed = 1;
    /// <summary>Bad usage: an unknown option, a malformed range, a file that is not what it should be.</summary>
    public const int BadUsage = 2;
}
