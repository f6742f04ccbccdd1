using Microsoft.Data.Sqlite;

namespace CanMesh.Interop.Tests.Infrastructure;

/// <summary>
/// One real canmesh-capture process for the whole suite: it replays tests/data/savvycan_candump.log
/// (12974 frames, recorded timestamps kept) into a fresh database, keeps running after the replay
/// ends, and serves its API on a Unix socket in a temp folder. Ready when every frame is committed.
/// A second interface stands for a quiet bus (a sim whose first frame is hours away): a capture whose
/// every source has ended reports NOT_SERVING, and this one is still capturing.
/// </summary>
public sealed class CaptureFixture : IDisposable
{
    public const int LogFrames = 12_974;

    private readonly TempFolder _temp = new();
    private readonly CaptureProcess _capture;

    public CaptureFixture()
    {
        LogPath = Path.Combine(AppContext.BaseDirectory, "data", "savvycan_candump.log");
        LogLines = File.ReadAllLines(LogPath).Where(l => l.Length > 0).ToArray();
        SocketPath = _temp.File("capture.sock");
        var config = _temp.File("capture.json");
        File.WriteAllText(config, $$"""
            {
              "Capture": {
                "Interfaces": [
                  { "Name": "vcan0", "Source": "replay", "Path": "{{LogPath}}" },
                  { "Name": "idle0", "Source": "sim", "FramesPerSecond": 0.0001, "Count": 1 }
                ],
                "ExitWhenSourcesEnd": false,
                "Stats": { "Interval": "0s" }
              },
              "Store": { "Path": "{{_temp.Database}}" },
              "Api": { "SocketPath": "{{SocketPath}}" }
            }
            """);
        _capture = CaptureProcess.Start("--config", config);
        try
        {
            WaitUntilReady(TimeSpan.FromSeconds(30));
            CaptureId = (string)Query("SELECT value FROM meta WHERE key = 'capture_id'")[0][0]!;
        }
        catch
        {
            _capture.Dispose();
            _temp.Dispose();
            throw;
        }
    }

    public string SocketPath { get; }
    public string LogPath { get; }

    /// <summary>The replayed log's lines; frame seq N is line N (1-based).</summary>
    public string[] LogLines { get; }

    public string CaptureId { get; } = "";

    public string Output => _capture.Stdout + _capture.Stderr;

    /// <summary>Reads the capture database with Microsoft.Data.Sqlite, read-only, beside the running capture.</summary>
    public List<object?[]> Query(string sql) => _temp.Query(sql);

    public bool WaitForOutput(string text, TimeSpan timeout) => _capture.WaitForOutput(text, timeout);

    private void WaitUntilReady(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_capture.HasExited)
            {
                throw new InvalidOperationException($"canmesh-capture exited with {_capture.ExitCode} before it was ready:\n{Output}");
            }
            if (File.Exists(SocketPath) && File.Exists(_temp.Database))
            {
                try
                {
                    if (_temp.Scalar("SELECT COALESCE(max(seq), 0) FROM frames") == LogFrames) return;
                }
                catch (SqliteException)
                {
                    // The schema is being created.
                }
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"canmesh-capture did not commit the {LogFrames} replayed frames and open {SocketPath} within {timeout.TotalSeconds} s:\n{Output}");
    }

    public void Dispose()
    {
        if (!_capture.HasExited)
        {
            _capture.Terminate();
            _capture.WaitForExit(TimeSpan.FromSeconds(15));
        }
        _capture.Dispose();
        _temp.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CaptureCollection : ICollectionFixture<CaptureFixture>
{
    public const string Name = "capture";
}
