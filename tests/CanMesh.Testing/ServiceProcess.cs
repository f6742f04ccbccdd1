using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace CanMesh.Testing;

/// <summary>
/// A CanMesh executable as a child process (dotnet NAME.dll from the test output), configured by arguments
/// and CANMESH_* environment variables, with its output collected and signals sent as systemd and docker
/// send them. Set CANMESH_TEST_CAPTURE_LOGS to a folder to keep each process's output there.
/// </summary>
public abstract partial class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    protected ServiceProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts dotnet <paramref name="dll"/> (wrapped in <paramref name="wrapper"/>, e.g. setpriv) from the test output folder.</summary>
    protected static Process Launch(string dll, string[] wrapper, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        string[] command = [.. wrapper, "dotnet", System.IO.Path.Combine(AppContext.BaseDirectory, dll), .. arguments];
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command[1..]) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    /// <summary>The name the output is kept under (CANMESH_TEST_CAPTURE_LOGS).</summary>
    protected abstract string LogName { get; }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Both streams, for failure messages.</summary>
    public string Output => Stdout + Stderr;

    /// <summary>SIGTERM, as docker stop and systemctl stop send it.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
    }

    /// <summary>kill -9: no drain, no cleanup, the socket file stays behind.</summary>
    public void KillHard()
    {
        if (Kill(_process.Id, 9) != 0) throw new InvalidOperationException($"kill -KILL {_process.Id} failed");
        _process.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // flushes the redirected output
        return true;
    }

    /// <summary>
    /// Waits for the exit without blocking a thread: a test that blocks thread-pool threads starves its
    /// own gRPC client (HttpClient's frame loop runs there) and measures its own lag instead of the server.
    /// </summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>, or the process exits, or the timeout passes.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout) =>
        WaitForOutput(stdout => stdout.Contains(text, StringComparison.Ordinal), timeout);

    /// <summary>Waits until <paramref name="condition"/> holds for standard output so far, or the process exits, or the timeout passes.</summary>
    public bool WaitForOutput(Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(Stdout)) return true;
            if (_process.HasExited) return condition(Stdout);
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>Resident set size from /proc/PID/status, in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in System.IO.File.ReadLines($"/proc/{_process.Id}/status"))
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
        GC.SuppressFinalize(this);
        if (Environment.GetEnvironmentVariable("CANMESH_TEST_CAPTURE_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            System.IO.File.WriteAllText(System.IO.Path.Combine(logs, $"{LogName}-{_process.Id}.log"), Output);
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
