using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CanMesh.Bench.Forward;

/// <summary>
/// The real forwarder as a child process (<c>dotnet canmesh-forwarder.dll</c>, built next to canmesh-bench),
/// configured only through CANMESH_* environment variables as a container would be; its log goes to a file.
/// Stopped with SIGTERM (the forwarder's clean stop), killed if that takes longer than 15 s.
/// </summary>
internal sealed class ForwarderProcess : IDisposable
{
    private const int Sigterm = 15;
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly EventHandler _onExit;

    private ForwarderProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        // An interrupted benchmark must not leave a forwarder running against a container that is going away.
        _onExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public string LogPath { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static string DefaultAssembly() => Path.Combine(AppContext.BaseDirectory, "canmesh-forwarder.dll");

    /// <param name="settings">Configuration keys (Section:Key) and values, passed as CANMESH_SECTION__KEY.</param>
    public static ForwarderProcess Start(string assembly, IReadOnlyDictionary<string, string> settings, string logPath)
    {
        if (!File.Exists(assembly)) throw new FileNotFoundException($"No canmesh-forwarder.dll at {assembly}; build bench/CanMesh.Bench (it builds the forwarder too) or give --forwarder.", assembly);
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Settings of the benchmark's own environment would override or add to the run's.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("CANMESH_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (key, value) in settings)
        {
            start.Environment["CANMESH_" + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant()] = value;
        }
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ForwarderProcess(process, log, logPath);
    }

    /// <summary>CPU seconds (user + system, all threads) used so far, from /proc/PID/stat; NaN once it exited.</summary>
    public double CpuSeconds() => ProcStat.CpuSeconds(_process.Id);

    /// <summary>Resident memory now (VmRSS) in bytes, 0 if unknown.</summary>
    public long ResidentBytes() => ProcStat.ResidentBytes(_process.Id);

    /// <summary>Peak resident memory (VmHWM) in bytes, 0 if unknown.</summary>
    public long PeakResidentBytes() => ProcStat.PeakResidentBytes(_process.Id);

    /// <summary>SIGTERM and wait; returns the exit code (0 is a clean stop).</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, Sigterm);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15))) _process.Kill();
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string LogTail(int lines)
    {
        lock (_log) _log.Flush();
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        Stop();
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);
}

