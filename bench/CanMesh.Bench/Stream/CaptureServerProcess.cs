using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using CanMesh.Capture.Api;
using CanMesh.Protos.V1;
using CanMesh.Client;
using Grpc.Core;

namespace CanMesh.Bench.Stream;

/// <summary>
/// The real canmesh-capture executable as a child process, its API on a Unix socket, its output in a log file.
/// For the stream and forward benchmarks it serves a prepared database: one sim interface paced at one frame
/// per 1,000 s (so the journal holds exactly the prepared frames while the benchmark runs),
/// Capture:ExitWhenSourcesEnd=false, logging at Warning; the soak benchmark gives its own configuration.
/// Stopped with SIGTERM.
/// </summary>
internal sealed class CaptureServerProcess : IDisposable
{
    private const int Sigterm = 15;
    private readonly Process _process;

    private CaptureServerProcess(Process process, string socketPath, string logPath)
    {
        _process = process;
        SocketPath = socketPath;
        LogPath = logPath;
    }

    public string SocketPath { get; }
    public string LogPath { get; }
    public int ProcessId => _process.Id;

    public static string DefaultExecutable() => Path.Combine(AppContext.BaseDirectory, "canmesh-capture");

    /// <summary>The stream and forward benchmarks' server: the prepared database, and a sim that adds next to nothing to it.</summary>
    public static Task<CaptureServerProcess> StartAsync(string executable, string directory, string databasePath) =>
        StartAsync(executable, directory, socketPath => new
        {
            Capture = new
            {
                Interfaces = new[] { new { Name = "sim0", Source = "sim", FramesPerSecond = 0.001, Count = 1 } },
                ExitWhenSourcesEnd = false,
                Stats = new { Interval = "1h" },
            },
            Store = new { Path = databasePath, Synchronous = "Normal" },
            Api = new { SocketPath = socketPath, SocketMode = "0600" },
            Logging = new { Level = "Warning" },
        });

    /// <param name="config">The configuration file's content (serialised to JSON) for the socket path it must use as Api:SocketPath.</param>
    public static async Task<CaptureServerProcess> StartAsync(string executable, string directory, Func<string, object> config)
    {
        if (!File.Exists(executable)) throw new FileNotFoundException($"No canmesh-capture executable at {executable}; build bench/CanMesh.Bench (it builds the service too) or give --server.", executable);
        var socketPath = Path.Combine(directory, $"capture-{Environment.ProcessId}.sock");
        var configPath = Path.Combine(directory, $"capture-{Environment.ProcessId}.json");
        var logPath = Path.Combine(directory, $"capture-{Environment.ProcessId}.log");
        File.Delete(socketPath);
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config(socketPath), new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);

        var start = new ProcessStartInfo(executable, ["--config", configPath])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new CaptureServerProcess(process, socketPath, logPath);
        await server.WaitReadyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return server;
    }

    /// <summary>CPU seconds (user + system, all threads) the server has used so far, from /proc/PID/stat.</summary>
    public double CpuSeconds() => ProcStat.CpuSeconds(_process.Id);

    /// <summary>Resident memory now (VmRSS) in bytes, 0 if unknown.</summary>
    public long ResidentBytes() => ProcStat.ResidentBytes(_process.Id);

    /// <summary>The anonymous part of it (RssAnon), 0 if unknown.</summary>
    public long AnonymousResidentBytes() => ProcStat.AnonymousResidentBytes(_process.Id);

    public bool HasExited => _process.HasExited;

    /// <summary>Until GetStats answers (the socket is up and the pipeline has opened the journal).</summary>
    private async Task WaitReadyAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"canmesh-capture exited with code {_process.ExitCode}; see {LogPath}.");
            if (File.Exists(SocketPath))
            {
                try
                {
                    await using var client = new CaptureClient(SocketPath, new CaptureClientOptions { CallTimeout = TimeSpan.FromSeconds(5) });
                    await client.GetStatsAsync().ConfigureAwait(false);
                    return;
                }
                catch (RpcException) when (clock.Elapsed < limit)
                {
                }
            }
            if (clock.Elapsed > limit) throw new TimeoutException($"canmesh-capture did not answer on {SocketPath} within {limit.TotalSeconds:F0} s; see {LogPath}.");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, Sigterm);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15))) _process.Kill();
        }
        _process.WaitForExit();
        _process.Dispose();
        File.Delete(SocketPath);
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
