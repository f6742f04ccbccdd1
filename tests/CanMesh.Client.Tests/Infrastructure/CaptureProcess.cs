using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CanMesh.Rpc;

namespace CanMesh.Client.Tests.Infrastructure;

/// <summary>
/// The real capture executable as a child process (dotnet canmesh-capture.dll from the test output),
/// configured through CANMESH_* environment variables, with its output collected.
/// </summary>
internal sealed partial class CaptureProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CaptureProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static CaptureProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "canmesh-capture.dll"));
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new CaptureProcess(Process.Start(info)!);
    }

    /// <summary>Starts a capture and waits until its API answers GetStats (the pipeline runs).</summary>
    public static async Task<CaptureProcess> StartAndWaitAsync(IReadOnlyDictionary<string, string> environment, string socketPath)
    {
        var process = Start(environment);
        try
        {
            await process.WaitUntilServingAsync(socketPath, TimeSpan.FromSeconds(30));
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Waits for the socket file, then for GetStats to succeed (UNAVAILABLE while the pipeline starts).</summary>
    public async Task WaitUntilServingAsync(string socketPath, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var client = new CaptureClient(socketPath, new CaptureClientOptions { CallTimeout = TimeSpan.FromSeconds(2) });
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"canmesh-capture exited with {_process.ExitCode}:\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"canmesh-capture did not serve on {socketPath} within {timeout}:\n{Output}");
            if (File.Exists(socketPath))
            {
                try
                {
                    await client.GetStatsAsync();
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                }
            }
            await Task.Delay(50);
        }
    }

    /// <summary>kill -9: no drain, no cleanup, the socket file stays behind.</summary>
    public void KillHard()
    {
        if (Kill(_process.Id, 9) != 0) throw new InvalidOperationException($"kill -KILL {_process.Id} failed");
        _process.WaitForExit();
    }

    public void Terminate()
    {
        if (Kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Resident set size from /proc/PID/status, in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"No VmRSS in /proc/{_process.Id}/status");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("CANMESH_TEST_CAPTURE_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            File.WriteAllText(Path.Combine(logs, $"capture-{_process.Id}.log"), Output);
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
