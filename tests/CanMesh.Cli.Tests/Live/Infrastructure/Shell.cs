using System.Diagnostics;

namespace CanMesh.Cli.Tests.Live.Infrastructure;

/// <summary>canmesh inside a bash command line, for what only a shell sets up: pipes into head, redirection into files.</summary>
internal static class Shell
{
    /// <summary>Runs <paramref name="script"/> in bash with $0 = canmesh.dll and $1 = <paramref name="socketPath"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string socketPath, string script)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", script, Canmesh.DllPath, socketPath }) info.ArgumentList.Add(argument);
        using var shell = Process.Start(info)!;
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await shell.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            shell.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash -c {script} did not end within 60 s (canmesh writing into a closed pipe?)");
        }
        return (shell.ExitCode, await stdout, await stderr);
    }
}
