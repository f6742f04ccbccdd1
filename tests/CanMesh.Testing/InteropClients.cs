using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;

namespace CanMesh.Testing;

/// <summary>
/// Runs the independent gRPC clients installed by `npm ci --prefix tests/interop`: node scripts on
/// @grpc/grpc-js (the modules given to node through NODE_PATH) and `buf curl`. Missing tools fail the
/// test with what to do; they never skip it.
/// </summary>
public static class InteropClients
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    public static string InteropDirectory { get; } = Path.Combine(RepositoryRoot.Path, "tests", "interop");
    public static string NodeModules { get; } = Path.Combine(InteropDirectory, "node_modules");

    /// <summary>A node script using @grpc/grpc-js and @grpc/proto-loader.</summary>
    public static Task<ProcessResult> RunNodeAsync(string script, params string[] arguments)
    {
        RequireInstalled(Path.Combine("@grpc", "grpc-js", "package.json"));
        RequireInstalled(Path.Combine("@grpc", "proto-loader", "package.json"));
        return RunAsync("node", [script, .. arguments], new Dictionary<string, string> { ["NODE_PATH"] = NodeModules });
    }

    /// <summary>buf curl over the Unix socket with HTTP/2 prior knowledge and the gRPC protocol; schema from reflection only.</summary>
    public static Task<ProcessResult> RunBufCurlAsync(string socketPath, params string[] arguments)
    {
        string[] all = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--unix-socket", socketPath, .. arguments];
        return RunAsync(FindBuf(), all, new Dictionary<string, string>());
    }

    /// <summary>The platform package's binary (no node wrapper in between), else node_modules/.bin/buf.</summary>
    private static string FindBuf()
    {
        string platform = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string native = Path.Combine(NodeModules, "@bufbuild", "buf-" + platform, "bin", "buf");
        if (File.Exists(native)) return native;
        return RequireInstalled(Path.Combine(".bin", "buf"));
    }

    private static string RequireInstalled(string relativePath)
    {
        string path = Path.Combine(NodeModules, relativePath);
        if (!File.Exists(path))
        {
            Assert.Fail($"The interop clients are not installed ({path} is missing). Run `npm ci --prefix tests/interop` from the repository root ({RepositoryRoot.Path}).");
        }

        return path;
    }

    private static async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        string commandLine = string.Concat(environment.Select(e => $"{e.Key}={e.Value} ")) + fileName + " " + string.Join(' ', arguments.Select(Quote));
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

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:=".Contains(c)) ? argument : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>What a client process did: its command line (to rerun it by hand), exit code and output.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Fails with everything a person needs to reproduce the run by hand.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0) Assert.Fail(Describe());
        return this;
    }

    public string[] Lines => StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string Describe() => new StringBuilder()
        .AppendLine($"`{CommandLine}` exited with {ExitCode}.")
        .AppendLine("stdout:").AppendLine(StandardOutput.Length > 4000 ? StandardOutput[..4000] + "..." : StandardOutput)
        .AppendLine("stderr:").AppendLine(StandardError)
        .ToString();
}
