using System.Diagnostics;
using System.Text;

namespace CanMesh.Rpc.Tests.Infrastructure;

/// <summary>Runs the node-based clients of tests/interop. Missing tools fail the test with what to do; they never skip it.</summary>
internal static class InteropTools
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    public static string InteropDirectory { get; } = Path.Combine(RepositoryRoot.Path, "tests", "interop");

    public static Task<ProcessResult> RunGrpcJsAsync(string scenario, string socketPath, string tag = "")
    {
        RequireInstalled(Path.Combine("node_modules", "@grpc", "grpc-js", "package.json"));
        return RunAsync("node", [Path.Combine(InteropDirectory, "grpc-js-client.js"), scenario, socketPath, tag]);
    }

    /// <summary>buf curl over the Unix socket with HTTP/2 prior knowledge and the gRPC protocol; schema from reflection.</summary>
    public static Task<ProcessResult> RunBufCurlAsync(string socketPath, params string[] arguments)
    {
        string buf = RequireInstalled(Path.Combine("node_modules", ".bin", "buf"));
        string[] all = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--unix-socket", socketPath, .. arguments];
        return RunAsync(buf, all);
    }

    private static string RequireInstalled(string relativePath)
    {
        string path = Path.Combine(InteropDirectory, relativePath);
        if (!File.Exists(path))
        {
            Assert.Fail($"The interop clients are not installed ({path} is missing). Run `npm ci --prefix tests/interop` from the repository root ({RepositoryRoot.Path}).");
        }

        return path;
    }

    private static async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string commandLine = fileName + " " + string.Join(' ', arguments);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"Could not run `{commandLine}`: {e.Message}. Node.js 20+ must be on PATH.");
            throw;
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(ProcessTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"`{commandLine}` did not finish within {ProcessTimeout.TotalSeconds} s.");
            }

            return new ProcessResult(commandLine, process.ExitCode, await stdout, await stderr);
        }
    }
}

internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Fails with everything a person needs to reproduce the run by hand.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            Assert.Fail(Describe());
        }

        return this;
    }

    public string Describe() => new StringBuilder()
        .AppendLine($"`{CommandLine}` exited with {ExitCode}.")
        .AppendLine("stdout:").AppendLine(StandardOutput)
        .AppendLine("stderr:").AppendLine(StandardError)
        .ToString();
}
