namespace CanMesh.Hosting;

/// <summary>
/// The exit codes every CanMesh service uses, so that restart policies treat them alike: systemd's
/// <c>RestartPreventExitStatus=2</c> leaves a bad configuration stopped until someone fixes it.
/// </summary>
public static class ServiceExitCodes
{
    /// <summary>Stopped on request (SIGTERM, Ctrl+C) after finishing its work.</summary>
    public const int Ok = 0;

    /// <summary>Failed while running; the log's last line says why. Worth a restart.</summary>
    public const int Failed = 1;

    /// <summary>The configuration is wrong; standard error lists every problem. A restart would fail the same way.</summary>
    public const int BadConfiguration = 2;
}
