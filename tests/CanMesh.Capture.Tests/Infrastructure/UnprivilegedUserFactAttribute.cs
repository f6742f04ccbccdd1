namespace CanMesh.Capture.Tests.Infrastructure;

/// <summary>
/// A fact about the capture run as an unprivileged service account (the user nobody, through setpriv): skipped,
/// saying why, where the tests cannot switch users (not root, or no setpriv).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class UnprivilegedUserFactAttribute : FactAttribute
{
    /// <summary>The user and group id of nobody/nogroup on Debian and most Linux distributions.</summary>
    public const int Nobody = 65534;

    public UnprivilegedUserFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "needs root to run the capture as the user nobody; the tests run unprivileged here";
        else if (!OnPath("setpriv"))
            Skip = "needs setpriv (util-linux) to run the capture as the user nobody";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, tool)));
}
